"""Local online deployments: the inference server around a scoring script and a model."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from mlops.assets import resolve_model
from mlops.assets.snapshots import snapshot
from mlops.documents import read_document
from mlops.environments import deployment_python
from mlops.environments.spec import of_entity, shown
from mlops.errors import MlopsError, UsageError
from mlops.online import processes, server, state
from mlops.online.endpoints import ensure_gateway
from mlops.overrides import NO_OVERRIDES, Overrides, for_file, params_override, with_params
from mlops.plan.endpoints import Deployment
from mlops.validation.endpoints import load_deployment

logger = logging.getLogger(__name__)

_DEFAULT_TIMEOUT_MS = 5000


@state.exclusive
def create_deployment(
    file: Path,
    *,
    endpoint_name: str | None = None,
    name: str | None = None,
    all_traffic: bool = False,
    overrides: Overrides = NO_OVERRIDES,
) -> dict[str, Any]:
    """Deploy: check the YAML, start the inference server, return when it is ready.

    Raises:
        ProblemsFound: The YAML, its code folder or scoring script is wrong; nothing started.
        NotFoundError: The endpoint or the model does not exist.
        MlopsError: The deployment exists already, or init() failed (with the log's last
            lines; nothing is left running).
    """
    entity, source = _load(file, overrides, endpoint_name, name)
    endpoint = state.load_endpoint(entity.endpoint_name)
    folder = state.deployment_folder(entity.endpoint_name, entity.name)
    if (folder / "deployment.json").is_file():
        raise MlopsError(
            f"deployment {entity.name} already exists on {entity.endpoint_name}. Fix: use "
            "`mlops online-deployment update`, or delete it first."
        )
    try:
        deployment = {**_start(entity, folder), "source": source}
    except MlopsError:
        state.remove(folder)
        raise
    state.save_deployment(deployment)
    endpoint = state.load_endpoint(entity.endpoint_name)
    endpoint.setdefault("deployment_routes", {})[entity.name] = route(deployment)
    if all_traffic:
        endpoint["traffic"] = {entity.name: 100}
        endpoint["mirror_traffic"] = {}
    state.save_endpoint(endpoint)
    ensure_gateway(endpoint)
    return deployment_view(deployment)


@state.exclusive
def update_deployment(
    file: Path | None,
    *,
    endpoint_name: str | None = None,
    name: str | None = None,
    overrides: Overrides = NO_OVERRIDES,
) -> dict[str, Any]:
    """Replace a deployment without failing a request.

    The new server starts on its own copy of the model (a new revision folder) and its own
    socket; once it is healthy the gateway's route switches to it, and the old server, which
    finishes the requests it has, stops and its files go. A new server that fails to start
    leaves the old one serving. Without a file, the deployment's own YAML, with the overrides it
    was deployed with, is updated by `overrides` (`az ml online-deployment update -n -e --set`).

    Raises:
        NotFoundError: The deployment does not exist.
        UsageError: No file, and no name and endpoint, or a deployment that kept no source.
        MlopsError: The new server did not start (the old one still serves).
    """
    if file is None:
        entity, source = _reload(endpoint_name, name, overrides)
    else:
        entity, source = _load(file, overrides, endpoint_name, name)
    old = state.load_deployment(entity.endpoint_name, entity.name)
    folder = state.deployment_folder(entity.endpoint_name, entity.name)
    deployment = {**_start(entity, folder), "source": source}
    endpoint = state.load_endpoint(entity.endpoint_name)
    endpoint.setdefault("deployment_routes", {})[entity.name] = route(deployment)
    state.save_endpoint(endpoint)
    state.save_deployment(deployment)
    _retire(old)
    return deployment_view(deployment)


def route(deployment: dict[str, Any]) -> dict[str, Any]:
    """The gateway's route to a deployment, with the limits Azure applies to it: at most
    2 x max_concurrent_requests_per_instance x instance_count pending requests, and
    request_timeout_ms per request."""
    settings = deployment.get("request_settings") or {}
    concurrent = int(settings.get("max_concurrent_requests_per_instance") or 1)
    instances = int(deployment.get("instance_count") or 1)
    return {
        "socket": deployment["socket"],
        "max_pending": 2 * concurrent * instances,
        "timeout_ms": int(settings.get("request_timeout_ms") or _DEFAULT_TIMEOUT_MS),
        "connections": server.worker_count(settings),
    }


def _retire(deployment: dict[str, Any]) -> None:
    """Stop a replaced server once its requests are done, then remove its files."""
    settings = deployment.get("request_settings") or {}
    timeout_ms = int(settings.get("request_timeout_ms") or _DEFAULT_TIMEOUT_MS)
    processes.stop(deployment.get("pid"), grace_seconds=timeout_ms / 1000 + 2)
    server.remove_socket(deployment.get("socket"))
    if deployment.get("revision_folder"):
        state.remove(Path(deployment["revision_folder"]))


def _reload(endpoint_name: str | None, name: str | None, overrides: Overrides):
    """A deployment's own YAML and earlier overrides, with `overrides` on top."""
    if not endpoint_name or not name:
        raise UsageError("give -f/--file, or -n/--name and -e/--endpoint-name of a deployment.")
    source = state.load_deployment(endpoint_name, name).get("source")
    if not source:
        raise UsageError(
            f"deployment {name} of {endpoint_name} kept no YAML to update: give -f/--file."
        )
    file = Path(source["file"])
    earlier = source["params_override"]
    document = with_params(read_document(file).data, earlier)
    return _load(file, overrides, endpoint_name, name, earlier=earlier, document=document)


def _load(
    file: Path,
    overrides: Overrides,
    endpoint_name: str | None,
    name: str | None,
    earlier: list[dict[str, Any]] | None = None,
    document: Any = None,
):
    """The deployment entity, and its source (file and params_override) to keep for updates."""
    if document is None:
        params = for_file(Path(file), overrides)
    else:
        params = params_override(overrides, document)
    kept = [*(earlier or []), *params]
    params = list(kept)
    if endpoint_name:
        params.append({"endpoint_name": endpoint_name})
    if name:
        params.append({"name": name})
    entity = load_deployment(Path(file), "online_deployment", params)
    if not entity.endpoint_name:
        raise UsageError(
            f"{file}: no endpoint_name: set it in the file or pass -e/--endpoint-name."
        )
    state.check_deployment_name(entity.name)
    return entity, {"file": str(Path(file).resolve()), "params_override": kept}


def _start(entity: Deployment, folder: Path) -> dict[str, Any]:
    model_path, model_name, model_version, model_reference = _model(entity)
    python = deployment_python(of_entity(entity.environment))  # its build's, or the engine's
    code, scoring_script = _code(entity, model_path)
    revision = folder / "revisions" / secrets.token_hex(4)
    revision.mkdir(parents=True)
    model_dir = server.lay_out_model(
        model_path, model_name, model_version, revision / "azureml-models"
    )
    settings = dict(entity.request_settings or {})
    socket_path = server.private_socket(f"{entity.endpoint_name}-{entity.name}")
    log = folder / "user_logs.txt"
    variables = {str(k): str(v) for k, v in (entity.environment_variables or {}).items()}
    pid = server.start(
        code=code,
        scoring_script=scoring_script,
        model_dir=model_dir,
        bind=f"unix:{socket_path}",
        settings=settings,
        environment_variables=variables,
        log=log,
        python=python,
    )
    try:
        server.wait_ready(pid, socket_path, log)
    except MlopsError:
        server.remove_socket(socket_path)
        state.remove(revision)
        raise
    deployment = {
        "name": entity.name,
        "endpoint_name": entity.endpoint_name,
        "model": model_reference,
        "model_dir": str(model_dir),
        "code": str(code) if entity.code_configuration else None,
        "scoring_script": scoring_script if entity.code_configuration else None,
        "environment": shown(entity.environment),
        "instance_type": entity.instance_type,
        "instance_count": entity.instance_count,
        "request_settings": settings,
        "environment_variables": variables,
        "socket": socket_path,
        "revision_folder": str(revision),
        "pid": pid,
        "log": str(log),
    }
    return deployment


def _code(entity: Deployment, model_path: Path) -> tuple[Path, str]:
    """The folder the server runs in and its scoring script: the deployment's code snapshot, or,
    for an MLflow model with no code_configuration (a no-code deployment), the scoring script
    Azure would generate, served from the server-side folder."""
    configuration = entity.code_configuration
    if configuration is not None:
        code, _digest = snapshot((Path(entity.base_path) / str(configuration.code)).resolve())
        return code, str(configuration.scoring_script)
    server.require_mlflow_model(model_path, f"deployment {entity.name}")
    return server.MLFLOW_SCORING_SCRIPT.parent, server.MLFLOW_SCORING_SCRIPT.name


def _model(entity: Deployment) -> tuple[Path, str, str | None, str]:
    """The model's local path, name, version (None for a local path) and reference."""
    model = entity.model
    if model is None:
        raise MlopsError(f"deployment {entity.name}: no model. Fix: set model: in the YAML.")
    if isinstance(model, str):
        reference = model if model.startswith("azureml:") else f"azureml:{model}"
        asset = resolve_model(reference)
        return (
            Path(asset.path),
            asset.name,
            str(asset.version),
            f"azureml:{asset.name}:{asset.version}",
        )
    path = (Path(entity.base_path) / str(model.path)).resolve()
    if not path.exists():
        raise MlopsError(
            f"deployment {entity.name}: model path {model.path} does not exist ({path})."
        )
    return path, model.name or path.name, None, str(path)


def deployment_view(deployment: dict[str, Any]) -> dict[str, Any]:
    """The deployment as az ml prints it (plus where its local server and log are)."""
    running = processes.alive(deployment.get("pid"))
    return {
        "name": deployment["name"],
        "endpoint_name": deployment["endpoint_name"],
        "type": "Managed",
        "model": deployment["model"],
        "code_configuration": (
            {"code": deployment["code"], "scoring_script": deployment["scoring_script"]}
            if deployment.get("code")
            else None
        ),
        "environment": deployment.get("environment"),
        "instance_type": deployment.get("instance_type"),
        "instance_count": deployment.get("instance_count"),
        "request_settings": deployment.get("request_settings", {}),
        "environment_variables": deployment.get("environment_variables", {}),
        "provisioning_state": "Succeeded" if running else "Failed",
        "properties": {
            "socket": deployment.get("socket"),
            "pid": deployment.get("pid"),
            "log": deployment["log"],
        },
    }


def show_deployment(endpoint: str, name: str) -> dict[str, Any]:
    """One deployment."""
    return deployment_view(state.load_deployment(endpoint, name))


def list_deployments(endpoint: str) -> list[dict[str, Any]]:
    """Every deployment of an endpoint."""
    state.load_endpoint(endpoint)
    return [deployment_view(deployment) for deployment in state.all_deployments(endpoint)]


@state.exclusive
def delete_deployment(endpoint: str, name: str) -> None:
    """Stop a deployment and remove it; refused while it takes live or mirrored traffic.

    Raises:
        MlopsError: It still takes traffic.
    """
    deployment = state.load_deployment(endpoint, name)
    current = state.load_endpoint(endpoint)
    share = current.get("traffic", {}).get(name, 0) or current.get("mirror_traffic", {}).get(
        name, 0
    )
    if share:
        raise MlopsError(
            f"deployment {name} takes {share}% of {endpoint}'s traffic. Fix: move its traffic "
            f'first: mlops online-endpoint update -n {endpoint} --traffic "<other>=100".'
        )
    current.get("deployment_routes", {}).pop(name, None)
    current.get("traffic", {}).pop(name, None)
    current.get("mirror_traffic", {}).pop(name, None)
    state.save_endpoint(current)
    _retire(deployment)
    state.remove(state.deployment_folder(endpoint, name))


def get_logs(endpoint: str, name: str, lines: int | None) -> str:
    """The deployment's server log (its last `lines` lines)."""
    deployment = state.load_deployment(endpoint, name)
    tail = processes.log_tail(Path(deployment["log"]), lines or 10_000)
    return "\n".join(tail)
