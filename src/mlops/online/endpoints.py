"""Local online endpoints: create, update traffic, show, list, delete, credentials, invoke."""

from __future__ import annotations

import datetime
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError, UsageError
from mlops.online import processes, server, state
from mlops.overrides import NO_OVERRIDES, Overrides, edited, for_file

_MAX_MIRROR_PERCENT = 50
# The shortest key `regenerate-keys --key-value` takes: a short key is a guessable one.
MIN_KEY_LENGTH = 16


@state.exclusive
def create_endpoint(
    file: Path | None,
    *,
    name: str | None = None,
    auth_mode: str | None = None,
    overrides: Overrides = NO_OVERRIDES,
) -> dict[str, Any]:
    """Create an endpoint (its gateway starts on a free loopback port); an existing one is
    updated in place, as `az ml online-endpoint create` does. `overrides` are az ml's `--set`
    items, applied to the file.

    Raises:
        ProblemsFound: The YAML is wrong.
        MlopsError: The name breaks Azure's rule, or the auth mode is not supported here.
    """
    entity = None
    if file is not None:
        # Deferred: mlops.validation imports every checker (pipelines, sweeps, workflows, the
        # asset store), 20-30 ms of CPU that show, update, get-credentials and invoke, run many
        # times by a rollout, do not need.
        from mlops.validation.endpoints import load_endpoint

        entity = load_endpoint(Path(file), "online_endpoint", for_file(Path(file), overrides))
    name = name or getattr(entity, "name", None)
    if not name:
        raise UsageError("give -f/--file or -n/--name")
    state.check_endpoint_name(name)
    mode = auth_mode or getattr(entity, "auth_mode", None) or "key"
    if mode != "key":
        raise MlopsError(
            f"auth_mode {mode!r}: local endpoints support key auth only (auth_mode: key)."
        )
    folder = state.endpoint_folder(name)
    if (folder / "endpoint.json").is_file():
        current = state.load_endpoint(name)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        state.new_keys(name)
        current = {
            "name": name,
            "traffic": {},
            "mirror_traffic": {},
            "deployment_routes": {},
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        }
    current.update(
        auth_mode=mode,
        description=getattr(entity, "description", None) or current.get("description"),
        tags=dict(getattr(entity, "tags", None) or current.get("tags") or {}),
    )
    state.save_endpoint(current)
    ensure_gateway(current)
    return endpoint_view(state.load_endpoint(name))


@state.exclusive
def ensure_gateway(current: dict[str, Any]) -> None:
    """Start the endpoint's gateway unless it runs (after a reboot, say), and wait for it.

    `current` is read again under the state lock first: what another command saved since the
    caller read it is kept.
    """
    current.update(state.load_endpoint(current["name"]))
    if processes.alive(current.get("gateway_pid")):
        return
    port = current.get("port") or processes.free_port()
    folder = state.endpoint_folder(current["name"])
    pid = processes.start_detached(
        [sys.executable, "-m", "mlops.online.gateway", str(folder), str(port)],
        env=_environment(),
        log=folder / "gateway.log",
    )
    current.update(port=port, gateway_pid=pid)
    state.save_endpoint(current)
    deadline = time.time() + 30
    while time.time() < deadline and processes.alive(pid):
        with socket.socket() as probe:
            if probe.connect_ex((processes.LOOPBACK, port)) == 0:
                return
        time.sleep(0.05)
    processes.stop(pid)
    tail = "\n".join(processes.log_tail(folder / "gateway.log", 10))
    raise MlopsError(f"endpoint {current['name']}: its gateway did not start:\n{tail}")


# glibc's malloc gives the heap back after each request whose buffers (a 70 KB body, say) sat at
# its top, and faults the pages in again on the next: 16 page faults per 1000-row request. The
# gateway keeps up to 4 MiB of free heap instead; larger buffers still come from mmap.
_GATEWAY_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "1048576", "MALLOC_TRIM_THRESHOLD_": "4194304"}


def _environment() -> dict[str, str]:
    return {**os.environ, **_GATEWAY_MALLOC}


def endpoint_view(current: dict[str, Any]) -> dict[str, Any]:
    """The endpoint as az ml prints it."""
    running = processes.alive(current.get("gateway_pid"))
    base = f"http://{processes.LOOPBACK}:{current.get('port')}"
    return {
        "name": current["name"],
        "auth_mode": current.get("auth_mode", "key"),
        "description": current.get("description"),
        "tags": current.get("tags", {}),
        "kind": "Managed",
        "location": "local",
        "provisioning_state": "Succeeded" if running else "Failed",
        "scoring_uri": f"{base}/score",
        "openapi_uri": f"{base}/swagger.json",
        "traffic": current.get("traffic", {}),
        "mirror_traffic": current.get("mirror_traffic", {}),
        "properties": {
            "created_at": current.get("created_at"),
            "gateway_pid": current.get("gateway_pid"),
        },
    }


def show_endpoint(name: str) -> dict[str, Any]:
    """One endpoint."""
    return endpoint_view(state.load_endpoint(name))


def list_endpoints() -> list[dict[str, Any]]:
    """Every endpoint."""
    return [endpoint_view(current) for current in state.all_endpoints()]


@state.exclusive
def update_traffic(
    name: str, traffic: dict[str, int] | None, mirror: dict[str, int] | None
) -> dict[str, Any]:
    """Set the live traffic split and/or the mirrored share, checked as Azure checks them.

    Raises:
        MlopsError: A deployment does not exist, live traffic does not add up to 100 (or 0), a
            mirror share is above 50% or goes to a deployment that takes live traffic.
    """
    current = state.load_endpoint(name)
    deployments = set(current.get("deployment_routes", {}))
    new_traffic = dict(current.get("traffic", {})) if traffic is None else dict(traffic)
    old_mirror = current.get("mirror_traffic", {})
    new_mirror = dict(old_mirror) if mirror is None else {k: v for k, v in mirror.items() if v}
    unknown = sorted((set(new_traffic) | set(new_mirror)) - deployments)
    if unknown:
        raise MlopsError(
            f"endpoint {name}: no deployment named {', '.join(unknown)} "
            f"(it has: {', '.join(sorted(deployments)) or 'none'})."
        )
    total = sum(new_traffic.values())
    if total not in (0, 100):
        raise MlopsError(
            f"endpoint {name}: traffic adds up to {total}%; it must add up to 100 (or 0)."
        )
    for deployment, share in new_mirror.items():
        if share > _MAX_MIRROR_PERCENT:
            raise MlopsError(
                f"mirror traffic to {deployment} is {share}%; "
                f"at most {_MAX_MIRROR_PERCENT}% can be mirrored."
            )
        if new_traffic.get(deployment, 0) > 0:
            raise MlopsError(
                f"{deployment} takes live traffic; a deployment cannot also get mirrored traffic."
            )
    current["traffic"] = new_traffic
    current["mirror_traffic"] = new_mirror
    state.save_endpoint(current)
    ensure_gateway(current)
    return endpoint_view(current)


@state.exclusive
def update_endpoint(
    name: str,
    overrides: Overrides,
    traffic: dict[str, int] | None = None,
    mirror: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Apply az's generic update to an endpoint, as `az ml online-endpoint update --set`.

    `overrides` change the endpoint's YAML fields (`description`, `tags`, `auth_mode`,
    `traffic`, `mirror_traffic`); `traffic` and `mirror` (`--traffic`, `--mirror-traffic`) win
    over what they set. The traffic is then checked as `update_traffic` checks it.

    Raises:
        NotFoundError: No such endpoint.
        UsageError: The update renames the endpoint, or a share is not a whole number.
        MlopsError: As `update_traffic`, or an auth mode other than key.
    """
    view = endpoint_view(state.load_endpoint(name))
    fields = ("name", "description", "tags", "auth_mode", "traffic", "mirror_traffic")
    document = edited(overrides, {field: view[field] for field in fields})
    if document.get("name") != name:
        raise UsageError(f"endpoint {name}: an endpoint's name cannot change (--set name).")
    mode = document.get("auth_mode") or "key"
    if mode != "key":
        raise MlopsError(
            f"auth_mode {mode!r}: local endpoints support key auth only (auth_mode: key)."
        )
    current = state.load_endpoint(name)
    current.update(description=document.get("description"), tags=dict(document.get("tags") or {}))
    state.save_endpoint(current)
    return update_traffic(
        name,
        traffic if traffic is not None else _shares(document.get("traffic"), "traffic"),
        mirror if mirror is not None else _shares(document.get("mirror_traffic"), "mirror_traffic"),
    )


def _shares(value: Any, field: str) -> dict[str, int]:
    """A traffic mapping set by --set/--add (`traffic.blue=100` arrives as the string "100")."""
    if not isinstance(value, dict):
        raise UsageError(f"{field}: expected a mapping of deployment to percent, got {value!r}.")
    try:
        return {str(deployment): int(share) for deployment, share in value.items()}
    except (TypeError, ValueError):
        raise UsageError(
            f"{field}: every share must be a whole percent, e.g. {field}.blue=100."
        ) from None


@state.exclusive
def delete_endpoint(name: str) -> None:
    """Stop the endpoint's deployments and gateway, free their ports, remove its state."""
    current = state.load_endpoint(name)
    processes.stop(current.get("gateway_pid"))
    for deployment in state.all_deployments(name):
        processes.stop(deployment.get("pid"))
        server.remove_socket(deployment.get("socket"))
    state.remove(state.endpoint_folder(name))


def _stopped_servers(name: str) -> str:
    """What to do when deployments' servers are gone (a reboot, a crash): empty when none is."""
    stopped = [d["name"] for d in state.all_deployments(name) if not processes.alive(d.get("pid"))]
    if not stopped:
        return ""
    return (
        f" (the server of deployment {', '.join(stopped)} is not running. Fix: restart it with "
        f"`mlops online-deployment update -e {name} -n <deployment> -f <its YAML>`)"
    )


def get_credentials(name: str) -> dict[str, str]:
    """The endpoint's keys, as `az ml online-endpoint get-credentials` prints them."""
    state.load_endpoint(name)
    return state.load_keys(name)


@state.exclusive
def regenerate_keys(name: str, key_type: str = "primary", key_value: str | None = None) -> None:
    """Replace the endpoint's primary or secondary key, as `az ml online-endpoint
    regenerate-keys` does: with `key_value`, or a new random key. The gateway takes the new key
    at its next request; the old one gets 401 from then on.

    Raises:
        NotFoundError: No such endpoint.
        UsageError: `key_type` is not primary or secondary, or `key_value` is too short.
    """
    state.load_endpoint(name)
    if key_type not in {"primary", "secondary"}:
        raise UsageError(f"--key-type {key_type}: use primary or secondary.")
    if key_value is not None and len(key_value) < MIN_KEY_LENGTH:
        raise UsageError(
            f"--key-value: a key needs at least {MIN_KEY_LENGTH} characters. Fix: give a longer "
            "one, or leave it out for a random key."
        )
    state.replace_key(name, f"{key_type}Key", key_value)


def invoke(name: str, request_file: Path, deployment_name: str | None = None) -> Any:
    """POST a request file to the endpoint with its key; returns the response body (JSON).

    Raises:
        MlopsError: The file is missing or the endpoint answers with an error status.
    """
    current = state.load_endpoint(name)
    ensure_gateway(current)
    try:
        body = Path(request_file).read_bytes()
    except OSError as error:
        raise MlopsError(f"--request-file {request_file}: {error.strerror}.") from None
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {state.load_keys(name)['primaryKey']}",
    }
    if deployment_name:
        headers["azureml-model-deployment"] = deployment_name
    request = urllib.request.Request(
        f"http://{processes.LOOPBACK}:{current['port']}/score",
        data=body,
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        detail = " ".join(error.read().decode(errors="replace").split())
        raise MlopsError(
            f"endpoint {name} answered {error.code}: {detail}{_stopped_servers(name)}"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        raise MlopsError(f"endpoint {name} is not answering: {error}") from None
    try:
        return json.loads(text)
    except ValueError:
        return text
