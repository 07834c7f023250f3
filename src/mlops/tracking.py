"""The MLflow store every local run and model goes to.

By default a SQLite database under the local state folder; `MLFLOW_TRACKING_URI` points
everything at a shared MLflow server (or an Azure ML workspace) instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock

from mlops import storecheck, storetemplate
from mlops.home import mlops_home

DATABASE_NAME = "mlflow.db"


def tracking_uri() -> str:
    """The tracking and registry URI: `$MLFLOW_TRACKING_URI` or the local SQLite store.

    A relative SQLite file (`sqlite:///mlflow.db`, three slashes) is the working directory's,
    as MLflow opens it; it is made absolute so that the store checks, which open it by a file
    URI, and a step started in another folder all use that same file.
    """
    configured = os.environ.get("MLFLOW_TRACKING_URI")
    if configured:
        path, query = _sqlite_file(configured)
        if path is not None and not path.is_absolute():
            return f"sqlite:///{path.absolute().as_posix()}{query}"
        return configured
    return f"sqlite:///{mlops_home() / DATABASE_NAME}"


def _sqlite_file(uri: str) -> tuple[Path | None, str]:
    """The file of a `sqlite:///` URI and its query (`?timeout=20`, options SQLAlchemy gives
    the connection, not part of the file's name); no file for another URI or `:memory:`."""
    if not uri.startswith("sqlite:///"):
        return None, ""
    path, mark, query = uri.removeprefix("sqlite:///").partition("?")
    if not path or path == ":memory:":
        return None, ""
    return Path(path), mark + query


def artifact_root() -> Path:
    """Where run artifacts and model files of the local store are kept."""
    return mlops_home() / "mlartifacts"


def local_database() -> Path | None:
    """The local SQLite store's file, or None when MLflow points at a server (or memory)."""
    return _sqlite_file(tracking_uri())[0]


def registry_lock_file() -> Path | None:
    """The file every registration into the local store locks while it checks and registers;
    None when MLflow points at a server (there is no lock to take).

    It is `<store>.register.lock`, beside the SQLite file, locked with `flock`: the template's
    register step (`diabetes_regression.registry.registry_lock`, which cannot import this
    tool) locks the same file, so `mlops model create` and a pipeline's registration never
    interleave.
    """
    database = local_database()
    return None if database is None else Path(f"{database}.register.lock")


def check_store() -> None:
    """Refuse a local store that is empty, damaged or of an unknown schema (see `storecheck`);
    a new one is made from the cached template when there is one (see `storetemplate`).

    Raises:
        DamagedStore: The database is not a whole MLflow store; it is left untouched.
    """
    database = local_database()
    if database is not None:
        # Under the creation lock: a store another process is creating is briefly 0 bytes.
        with FileLock(str(database) + ".lock"):
            _checked_or_copied(database)


def _checked_or_copied(database: Path) -> bool:
    """Under the store's creation lock: refuse a damaged store, and make a missing one as a copy
    of the cached template. Returns whether the store exists now (False: no template yet).

    Raises:
        DamagedStore: The database is not a whole MLflow store; it is left untouched.
    """
    storecheck.check_database(database, schema=storecheck.mlflow_schema)
    return database.exists() or storetemplate.copy_template(database)


def mlflow_environment() -> dict[str, str]:
    """Environment variables that point a child process's MLflow at the same store, once the
    store is checked (a child's MLflow would otherwise create its tables over a damaged one).

    Raises:
        DamagedStore: The local database is not a whole MLflow store.
    """
    check_store()
    uri = tracking_uri()
    return {
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_REGISTRY_URI": uri,
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def client():
    """An `MlflowClient` on the configured store, creating the local database once, safely.

    Two processes that open a fresh SQLite store at the same moment would both run its schema
    migrations; a file lock makes the second wait for the first. A new store is a copy of the
    cached template (made by MLflow the first time, see `storetemplate`). A damaged store is
    refused before MLflow sees it.

    Raises:
        DamagedStore: The local database is not a whole MLflow store; it is left untouched.
    """
    # mlflow's import costs about a second: only the commands that touch the registry pay it.
    from mlflow.tracking import MlflowClient

    uri = tracking_uri()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    database = local_database()
    if database is not None:
        with FileLock(str(database) + ".lock"):
            if not _checked_or_copied(database):
                storetemplate.make_template()
                storetemplate.copy_template(database)  # else MLflow makes it just below
            mlflow_client = MlflowClient(tracking_uri=uri, registry_uri=uri)
            mlflow_client.search_experiments(max_results=1)
        return mlflow_client
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(name: str) -> str:
    """The id of experiment `name`, created (with its artifacts under the store) when missing."""
    mlflow_client = client()
    experiment = mlflow_client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    location = None
    if tracking_uri().startswith("sqlite:///"):
        location = (artifact_root() / name).as_uri()
    try:
        return mlflow_client.create_experiment(name, artifact_location=location)
    except Exception:
        # Another process created it between the lookup and the create.
        experiment = mlflow_client.get_experiment_by_name(name)
        if experiment is None:
            raise
        return experiment.experiment_id
