"""The model registry, through MLflow's API only: the local store, or the Azure ML workspace."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks in the standard library
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)


def model_versions(model_name: str) -> list[tuple[str, dict[str, str]]]:
    """(version, tags) of every registered version of `model_name`; empty when none exists.

    Raises:
        MlflowException: When the registry cannot be reached.
    """
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        versions = MlflowClient().search_model_versions(f"name='{model_name}'")
    except MlflowException as error:
        # Some registries (Azure ML's among them) answer "not found" for an unknown name.
        if error.error_code == "RESOURCE_DOES_NOT_EXIST":
            return []
        raise
    return [(str(version.version), dict(version.tags)) for version in versions]


def latest_version(model_name: str) -> str | None:
    """The latest registered version of `model_name` (the production model), None if none."""
    versions = [int(version) for version, _ in model_versions(model_name)]
    return str(max(versions)) if versions else None


@contextlib.contextmanager
def registry_lock() -> Iterator[None]:
    """Hold the registry-wide lock, so that reading the production model and registering a new
    version are one step that no other registration interleaves with.

    The lock is a file beside a local SQLite store, `<store>.register.lock`, locked with
    `flock`: every pipeline on this machine and `mlops model create` (its
    `tracking.registry_lock_file`) take this same lock.
    A registry on a server (an MLflow server, an Azure ML workspace) offers no lock to take:
    there the re-check narrows the race to the moment between reading and registering.
    """
    import mlflow

    uri = mlflow.get_registry_uri()
    if not uri.startswith("sqlite:///") or fcntl is None:
        logger.info("registry %s: no registry-wide lock to take; re-checking without one", uri)
        yield
        return
    # The store's file: a query (`?timeout=20`) is SQLAlchemy's connection option.
    path = Path(uri.removeprefix("sqlite:///").partition("?")[0] + ".register.lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
