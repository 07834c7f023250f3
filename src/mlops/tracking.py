"""The MLflow store every local run and model goes to.

By default a SQLite database under the local state folder; `MLFLOW_TRACKING_URI` points
everything at a shared MLflow server (or an Azure ML workspace) instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock

from mlops.home import mlops_home

DATABASE_NAME = "mlflow.db"


def tracking_uri() -> str:
    """The tracking and registry URI: `$MLFLOW_TRACKING_URI` or the local SQLite store."""
    configured = os.environ.get("MLFLOW_TRACKING_URI")
    if configured:
        return configured
    return f"sqlite:///{mlops_home() / DATABASE_NAME}"


def artifact_root() -> Path:
    """Where run artifacts and model files of the local store are kept."""
    return mlops_home() / "mlartifacts"


def mlflow_environment() -> dict[str, str]:
    """Environment variables that point a child process's MLflow at the same store."""
    uri = tracking_uri()
    return {
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_REGISTRY_URI": uri,
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def client():
    """An `MlflowClient` on the configured store, creating the local database once, safely.

    Two processes that open a fresh SQLite store at the same moment would both run its schema
    migrations; a file lock makes the second wait for the first.
    """
    from mlflow.tracking import MlflowClient

    uri = tracking_uri()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    if uri.startswith("sqlite:///"):
        database = Path(uri.removeprefix("sqlite:///"))
        with FileLock(str(database) + ".lock"):
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
