"""Local batch endpoints: create, show, list, delete, as `az ml batch-endpoint` does."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlops.batch import state
from mlops.errors import MlopsError, UsageError
from mlops.online.state import exclusive
from mlops.overrides import NO_OVERRIDES, Overrides, edited, for_file
from mlops.validation.endpoints import load_endpoint


@exclusive
def create_endpoint(
    file: Path | None, name: str | None = None, overrides: Overrides = NO_OVERRIDES
) -> dict[str, Any]:
    """Create a batch endpoint from its YAML (or update its description and tags).

    Args:
        file: The endpoint YAML; None with `name` creates a bare endpoint.
        name: Overrides the YAML's name.
        overrides: az ml's `--set` items, applied to the file.

    Returns:
        The endpoint, as `show` prints it.

    Raises:
        ProblemsFound: The YAML does not load.
        MlopsError: Neither a file nor a name.
    """
    description, tags, auth_mode = None, {}, "aad_token"
    if file is not None:
        entity = load_endpoint(Path(file), "batch_endpoint", for_file(Path(file), overrides))
        name = name or entity.name
        description, tags = entity.description, dict(entity.tags or {})
        auth_mode = entity.auth_mode or auth_mode
    if not name:
        raise MlopsError("give the endpoint YAML (-f) or a name (-n).")
    folder = state.endpoint_folder(name)
    previous = state.load_endpoint(name) if (folder / state.ENDPOINT_FILE).is_file() else {}
    record = {
        "name": name,
        "description": description,
        "tags": tags,
        "auth_mode": auth_mode,
        "defaults": previous.get("defaults", {"deployment_name": None}),
        "provisioning_state": "Succeeded",
        "location": "local",
        "scoring_uri": None,
        "properties": {"file": str(Path(file).resolve()) if file else None},
    }
    state.save_endpoint(record)
    return record


def show_endpoint(name: str) -> dict[str, Any]:
    """An endpoint, as `az ml batch-endpoint show` prints it.

    Raises:
        NotFoundError: No such endpoint.
    """
    return state.load_endpoint(name)


def list_endpoints() -> list[dict[str, Any]]:
    """Every local batch endpoint."""
    return state.all_endpoints()


@exclusive
def delete_endpoint(name: str) -> None:
    """Delete an endpoint and its deployments (the jobs it ran stay).

    Raises:
        NotFoundError: No such endpoint.
    """
    state.load_endpoint(name)
    shutil.rmtree(state.endpoint_folder(name))


@exclusive
def set_default(endpoint: str, deployment: str) -> dict[str, Any]:
    """Make `deployment` the one `invoke` runs when no deployment is named.

    Raises:
        NotFoundError: No such endpoint or deployment.
    """
    state.load_deployment(endpoint, deployment)
    record = state.load_endpoint(endpoint)
    record["defaults"] = {"deployment_name": deployment}
    state.save_endpoint(record)
    return record


@exclusive
def update_endpoint(name: str, overrides: Overrides) -> dict[str, Any]:
    """Apply az's generic update to an endpoint, as `az ml batch-endpoint update --set`.

    `overrides` change the endpoint's YAML fields: `description`, `tags` and
    `defaults.deployment_name` (which must name one of its deployments).

    Raises:
        NotFoundError: No such endpoint, or no such default deployment.
        UsageError: The update renames the endpoint or changes its auth mode.
    """
    record = state.load_endpoint(name)
    fields = ("name", "description", "tags", "auth_mode", "defaults")
    document = edited(overrides, {field: record.get(field) for field in fields})
    for field in ("name", "auth_mode"):
        if document.get(field) != record.get(field):
            raise UsageError(f"batch endpoint {name}: --set {field}: its {field} cannot change.")
    record.update(description=document.get("description"), tags=dict(document.get("tags") or {}))
    state.save_endpoint(record)
    default = (document.get("defaults") or {}).get("deployment_name")
    if default and default != (record.get("defaults") or {}).get("deployment_name"):
        return set_default(name, default)
    return record
