"""Endpoint and deployment state under `<mlops home>/endpoints/<endpoint>/`.

endpoint.json                      name, port, gateway pid, traffic, mirror traffic, routes ...
keys.json                          the two keys, owner-only (0600), never logged
gateway.log                        the gateway's own log
deployments/<name>/deployment.json model, server socket, pid, settings, revision ...
deployments/<name>/user_logs.txt   the inference server's log (`get-logs`), across updates
deployments/<name>/revisions/<id>/ the model as the running server was started on
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from filelock import FileLock, Timeout

from mlops import atomic
from mlops.assets.snapshots import remove_tree
from mlops.errors import MlopsError, NotFoundError
from mlops.home import mlops_home

_LOCK_FILE = ".state.lock"
# A change waits this long for another command's change to finish before giving up.
_LOCK_WAIT_SECONDS = 600.0
_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")

_ENDPOINT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$")
_DEPLOYMENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$")


def check_endpoint_name(name: str) -> None:
    """Azure's rule for online endpoint names.

    Raises:
        MlopsError: The name breaks it.
    """
    if not name or not _ENDPOINT_NAME.match(name):
        raise MlopsError(
            f"endpoint name {name!r} is not valid: use 3-32 characters, letters, digits and "
            "hyphens, starting with a letter and not ending with a hyphen."
        )


def check_deployment_name(name: str) -> None:
    """Azure's rule for online deployment names.

    Raises:
        MlopsError: The name breaks it.
    """
    if not name or not _DEPLOYMENT_NAME.match(name):
        raise MlopsError(
            f"deployment name {name!r} is not valid: use 3-32 characters, letters, digits and "
            "hyphens, starting with a letter and not ending with a hyphen."
        )


def endpoints_root() -> Path:
    """Where every local endpoint's state lives."""
    return mlops_home() / "endpoints"


@functools.cache
def _lock(path: Path) -> Any:
    # One lock object per file and process: filelock counts nested acquisitions of the same
    # object, so a locked change may call another (create_deployment -> ensure_gateway).

    return FileLock(str(path))


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """Hold the lock under which endpoint and deployment state changes.

    Every change reads, changes and writes back `endpoint.json` / `deployment.json`; two
    commands doing that at once would each write back what they read, and one change would be
    lost. One lock for all endpoints of a home: changes are seconds long and rare.

    Raises:
        MlopsError: Another command held the lock for longer than ten minutes.
    """
    root = endpoints_root()
    root.mkdir(parents=True, exist_ok=True)
    lock = _lock(root / _LOCK_FILE)
    try:
        lock.acquire(timeout=_LOCK_WAIT_SECONDS)
    except Timeout:
        raise MlopsError(
            f"another mlops command has been changing endpoints for {_LOCK_WAIT_SECONDS:.0f} s "
            f"(lock {lock.lock_file}). Fix: wait for it to finish, then run this one again."
        ) from None
    try:
        yield
    finally:
        lock.release()


def exclusive(function: Callable[_Params, _Result]) -> Callable[_Params, _Result]:
    """Run `function` (a change to endpoint or deployment state) under `locked()`."""

    @functools.wraps(function)
    def wrapper(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        with locked():
            return function(*args, **kwargs)

    return wrapper


def endpoint_folder(name: str) -> Path:
    """One endpoint's folder."""
    check_endpoint_name(name)
    return endpoints_root() / name


def deployment_folder(endpoint: str, deployment: str) -> Path:
    """One deployment's folder."""
    check_deployment_name(deployment)
    return endpoint_folder(endpoint) / "deployments" / deployment


def load_endpoint(name: str) -> dict[str, Any]:
    """An endpoint's state.

    Raises:
        NotFoundError: No such endpoint.
    """
    path = endpoint_folder(name) / "endpoint.json"
    if not path.is_file():
        raise NotFoundError(
            f"online endpoint {name!r} does not exist. Fix: create it with "
            "`mlops online-endpoint create -f endpoints/online/endpoint.yml`."
        )
    return atomic.read_json(path)


def save_endpoint(state: dict[str, Any]) -> None:
    """Write an endpoint's state atomically (the gateway rereads it on change)."""
    atomic.write_json(endpoint_folder(state["name"]) / "endpoint.json", state)


def all_endpoints() -> list[dict[str, Any]]:
    """Every endpoint's state, by name."""
    paths = sorted(endpoints_root().glob("*/endpoint.json"))
    return [atomic.read_json(path) for path in paths]


def load_deployment(endpoint: str, name: str) -> dict[str, Any]:
    """A deployment's state.

    Raises:
        NotFoundError: No such deployment.
    """
    path = deployment_folder(endpoint, name) / "deployment.json"
    if not path.is_file():
        names = ", ".join(d["name"] for d in all_deployments(endpoint)) or "none"
        raise NotFoundError(f"endpoint {endpoint!r} has no deployment {name!r} (it has: {names}).")
    return atomic.read_json(path)


def save_deployment(state: dict[str, Any]) -> None:
    """Write a deployment's state atomically."""
    atomic.write_json(
        deployment_folder(state["endpoint_name"], state["name"]) / "deployment.json", state
    )


def all_deployments(endpoint: str) -> list[dict[str, Any]]:
    """Every deployment of an endpoint, by name."""
    paths = sorted((endpoint_folder(endpoint) / "deployments").glob("*/deployment.json"))
    return [atomic.read_json(path) for path in paths]


def new_keys(endpoint: str) -> dict[str, str]:
    """Make and store the endpoint's primary and secondary keys, readable by the owner only."""
    keys = {"primaryKey": secrets.token_urlsafe(32), "secondaryKey": secrets.token_urlsafe(32)}
    atomic.write_json(endpoint_folder(endpoint) / "keys.json", keys, mode=0o600)
    return keys


def replace_key(endpoint: str, key_name: str, value: str | None = None) -> None:
    """Replace one of the endpoint's keys (`primaryKey` or `secondaryKey`) with `value`, or with
    a new random one; the other key is kept."""
    keys = load_keys(endpoint)
    keys[key_name] = value or secrets.token_urlsafe(32)
    atomic.write_json(endpoint_folder(endpoint) / "keys.json", keys, mode=0o600)


def load_keys(endpoint: str) -> dict[str, str]:
    """The endpoint's keys."""
    return atomic.read_json(endpoint_folder(endpoint) / "keys.json")


def remove(folder: Path) -> None:
    """Delete an endpoint's or deployment's folder (code snapshots in it may be read-only)."""
    remove_tree(folder)
    shutil.rmtree(folder, ignore_errors=True)
