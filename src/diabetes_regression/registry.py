"""The model registry, through MLflow's API only: the local store, or the Azure ML workspace."""

from __future__ import annotations


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
