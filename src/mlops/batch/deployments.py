"""Local batch deployments: a model, a scoring script (or, for an MLflow model, none) and
parallel settings on an endpoint, as `az ml batch-deployment` creates them. `invoke` runs one
as a job (`mlops.batch.invoke`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlops.assets import resolve_model
from mlops.batch import state
from mlops.batch.endpoints import set_default
from mlops.documents import read_document
from mlops.environments.spec import shown
from mlops.errors import MlopsError, UsageError
from mlops.online.server import lay_out_model, require_mlflow_model
from mlops.online.state import exclusive
from mlops.overrides import NO_OVERRIDES, Overrides, for_file, params_override, with_params
from mlops.plan.endpoints import Deployment
from mlops.validation.endpoints import load_deployment

# Azure ML's defaults for a model batch deployment's settings.
DEFAULT_SETTINGS: dict[str, Any] = {
    "mini_batch_size": 10,
    "max_concurrency_per_instance": 1,
    "output_action": "append_row",
    "output_file_name": "predictions.csv",
    "retry_settings": {"max_retries": 3, "timeout": 30},
    "error_threshold": -1,
    "logging_level": "info",
    "environment_variables": {},
}


@exclusive
def create_deployment(
    file: Path,
    *,
    overrides: Overrides = NO_OVERRIDES,
    endpoint_name: str | None = None,
    name: str | None = None,
    make_default: bool = False,
) -> dict[str, Any]:
    """Create (or replace) a batch deployment from its YAML.

    The model reference is resolved now (`@latest` pins the newest version, as Azure does) and
    laid out as AZUREML_MODEL_DIR for the jobs `invoke` runs.

    Args:
        file: The deployment YAML (`type: model`).
        overrides: az ml's `--set` items (`model=azureml:diabetes_regression_model:3`).
        endpoint_name: Overrides the YAML's endpoint_name.
        name: Overrides the YAML's name.
        make_default: Make it the endpoint's default deployment.

    Returns:
        The deployment, as `show` prints it.

    Raises:
        ProblemsFound: The YAML does not load.
        NotFoundError: The endpoint or the model does not exist.
        MlopsError: The code folder or scoring script is missing.
    """
    file = Path(file)
    return _deploy(file, for_file(file, overrides), endpoint_name, name, make_default)


@exclusive
def update_deployment(
    file: Path | None,
    *,
    overrides: Overrides = NO_OVERRIDES,
    endpoint_name: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Update a deployment, as `az ml batch-deployment update`.

    With a file, the deployment is made again from it (`overrides` applied to it). Without
    one, the deployment's own YAML, with the overrides it was created or last updated with, is
    loaded again with `overrides` on top (`-n -e --set settings.mini_batch_size=5`). The
    endpoint's default deployment stays as it is.

    Raises:
        NotFoundError: The endpoint, the deployment or the model does not exist.
        UsageError: No file, and no name and endpoint.
        ProblemsFound: The updated YAML does not load.
    """
    if file is not None:
        return _deploy(Path(file), for_file(Path(file), overrides), endpoint_name, name, False)
    if not endpoint_name or not name:
        raise UsageError("give -f/--file, or -n/--name and -e/--endpoint-name of a deployment.")
    properties = state.load_deployment(endpoint_name, name)["properties"]
    file = Path(properties["file"])
    earlier = properties.get("params_override", [])
    document = with_params(read_document(file).data, earlier)
    params = [*earlier, *params_override(overrides, document)]
    return _deploy(file, params, endpoint_name, name, False)


def _deploy(
    file: Path,
    params: list[dict[str, Any]],
    endpoint_name: str | None,
    name: str | None,
    make_default: bool,
) -> dict[str, Any]:
    """Load the deployment YAML with its `params_override`, lay out its model, save it."""
    entity = load_deployment(file, "batch_deployment", params)
    endpoint = endpoint_name or entity.endpoint_name
    name = name or entity.name
    if not endpoint:
        raise MlopsError(f"{file}: endpoint_name is missing. Fix: add it or pass -e.")
    state.load_endpoint(endpoint)
    model_path, model_name, model_version = _model(entity, file)
    code_configuration = _code(entity, file, model_path)
    folder = state.deployment_folder(endpoint, name)
    model_root = folder / "model"
    shutil.rmtree(model_root, ignore_errors=True)
    model_dir = lay_out_model(model_path, model_name, model_version, model_root)
    record = {
        "name": name,
        "endpoint_name": endpoint,
        "type": "model",
        "description": entity.description,
        "tags": dict(entity.tags or {}),
        "model": f"azureml:{model_name}:{model_version}" if model_version else str(model_path),
        "code_configuration": code_configuration,
        "environment": _text(entity.environment),
        "compute": _text(entity.compute),
        "resources": {"instance_count": entity.instance_count},
        "settings": _settings(entity),
        "provisioning_state": "Succeeded",
        "properties": {
            "file": str(file.resolve()),
            "params_override": params,
            "AZUREML_MODEL_DIR": str(model_dir),
        },
    }
    state.save_deployment(record)
    if make_default:
        set_default(endpoint, name)
    return record


def show_deployment(endpoint: str, name: str) -> dict[str, Any]:
    """A deployment, as `az ml batch-deployment show` prints it.

    Raises:
        NotFoundError: No such endpoint or deployment.
    """
    return state.load_deployment(endpoint, name)


def list_deployments(endpoint: str) -> list[dict[str, Any]]:
    """Every deployment of an endpoint.

    Raises:
        NotFoundError: No such endpoint.
    """
    state.load_endpoint(endpoint)
    return state.all_deployments(endpoint)


@exclusive
def delete_deployment(endpoint: str, name: str) -> None:
    """Delete a deployment; the endpoint forgets it as its default.

    Raises:
        NotFoundError: No such endpoint or deployment.
    """
    state.load_deployment(endpoint, name)
    shutil.rmtree(state.deployment_folder(endpoint, name))
    record = state.load_endpoint(endpoint)
    if record["defaults"].get("deployment_name") == name:
        record["defaults"] = {"deployment_name": None}
        state.save_endpoint(record)


def _text(value: Any) -> str | dict[str, Any] | None:
    """A model or environment as az ml shows it: `azureml:...`, or an inline one's fields."""
    if value is not None and not isinstance(value, str):
        return shown(value)
    if value is None:
        return None
    return value if value.startswith("azureml:") else f"azureml:{value}"


def _code(entity: Deployment, file: Path, model_path: Path) -> dict[str, str] | None:
    """The deployment's code folder and scoring script; None for a no-code deployment (an MLflow
    model with no code_configuration), whose jobs run the driver Azure would generate."""
    configuration = entity.code_configuration
    if configuration is None:
        require_mlflow_model(model_path, str(file))
        return None
    code = getattr(configuration, "code", None)
    script = getattr(configuration, "scoring_script", None)
    if not code or not script:
        raise MlopsError(
            f"{file}: code_configuration needs code and scoring_script. "
            "Fix: point code at your source folder and scoring_script at the batch script in it."
        )
    folder = (file.parent / str(code)).resolve()
    if not (folder / script).is_file():
        raise MlopsError(
            f"{file}: code_configuration.scoring_script {script} is not in {folder}. "
            "Fix: give its path relative to code_configuration.code."
        )
    return {"code": str(folder), "scoring_script": script}


def _model(entity: Deployment, file: Path) -> tuple[Path, str, str | None]:
    model = entity.model
    if isinstance(model, str):
        reference = model if model.startswith("azureml:") else f"azureml:{model}"
        asset = resolve_model(reference)
        return Path(asset.path), asset.name, str(asset.version)
    path = getattr(model, "path", None)
    if not path:
        raise MlopsError(
            f"{file}: model is missing. Fix: model: azureml:<name>@latest or a local path."
        )
    local = (file.parent / str(path)).resolve()
    if not local.exists():
        raise MlopsError(f"{file}: model path {local} does not exist.")
    return local, getattr(model, "name", None) or local.name, None


def _settings(entity: Deployment) -> dict[str, Any]:
    """The settings given, over Azure ML's defaults (a retry setting left out keeps its own)."""
    settings = dict(DEFAULT_SETTINGS)
    for key, value in (entity.settings or {}).items():
        if key == "retry_settings":
            defaults = DEFAULT_SETTINGS[key]
            value = {
                name: defaults[name] if given is None else given for name, given in value.items()
            }
        settings[key] = value
    return settings
