"""Batch endpoint and deployment state under `<mlops home>/batch_endpoints/<endpoint>/`.

endpoint.json                        the endpoint as `mlops batch-endpoint show` prints it
deployments/<name>/deployment.json   the deployment as `mlops batch-deployment show` prints it
deployments/<name>/model/            the model, laid out as AZUREML_MODEL_DIR
invocations/<job>/                   the job YAML each `invoke` wrote for the engine
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops import atomic
from mlops.errors import NotFoundError
from mlops.home import mlops_home
from mlops.online.state import check_deployment_name, check_endpoint_name

ENDPOINT_FILE = "endpoint.json"
DEPLOYMENT_FILE = "deployment.json"


def root() -> Path:
    """Where every local batch endpoint lives."""
    return mlops_home() / "batch_endpoints"


def endpoint_folder(name: str) -> Path:
    """One endpoint's folder (names follow Azure's endpoint rule)."""
    check_endpoint_name(name)
    return root() / name


def deployment_folder(endpoint: str, name: str) -> Path:
    """One deployment's folder."""
    check_deployment_name(name)
    return endpoint_folder(endpoint) / "deployments" / name


def load_endpoint(name: str) -> dict[str, Any]:
    """An endpoint's record.

    Raises:
        NotFoundError: No such endpoint.
    """
    path = endpoint_folder(name) / ENDPOINT_FILE
    if not path.is_file():
        raise NotFoundError(
            f"batch endpoint {name!r} does not exist. Fix: create it with "
            "`mlops batch-endpoint create -f endpoints/batch/endpoint.yml`."
        )
    return atomic.read_json(path)


def save_endpoint(record: dict[str, Any]) -> None:
    """Write an endpoint's record atomically."""
    atomic.write_json(endpoint_folder(record["name"]) / ENDPOINT_FILE, record)


def load_deployment(endpoint: str, name: str) -> dict[str, Any]:
    """A deployment's record.

    Raises:
        NotFoundError: No such endpoint or deployment.
    """
    load_endpoint(endpoint)
    path = deployment_folder(endpoint, name) / DEPLOYMENT_FILE
    if not path.is_file():
        existing = ", ".join(d["name"] for d in all_deployments(endpoint)) or "none"
        raise NotFoundError(
            f"batch deployment {name!r} does not exist on endpoint {endpoint!r} "
            f"(deployments: {existing}). Fix: `mlops batch-deployment create -f <deployment.yml>`."
        )
    return atomic.read_json(path)


def save_deployment(record: dict[str, Any]) -> None:
    """Write a deployment's record atomically."""
    folder = deployment_folder(record["endpoint_name"], record["name"])
    atomic.write_json(folder / DEPLOYMENT_FILE, record)


def all_endpoints() -> list[dict[str, Any]]:
    """Every endpoint's record, by name."""
    return [atomic.read_json(path) for path in sorted(root().glob(f"*/{ENDPOINT_FILE}"))]


def all_deployments(endpoint: str) -> list[dict[str, Any]]:
    """Every deployment of an endpoint, by name."""
    folder = endpoint_folder(endpoint) / "deployments"
    return [atomic.read_json(path) for path in sorted(folder.glob(f"*/{DEPLOYMENT_FILE}"))]
