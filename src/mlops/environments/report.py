"""What `mlops environment` shows of the cache: is an environment built, where, how big;
and `prune`, which removes the builds no job has used lately."""

from __future__ import annotations

import datetime
import json
import shutil
import time
from pathlib import Path
from typing import Any

from mlops.environments import cache
from mlops.environments.build import build
from mlops.environments.interpreters import interpreter_for
from mlops.environments.key import build_key
from mlops.environments.runtime import runtime_requirements
from mlops.environments.spec import Spec, from_entity
from mlops.errors import MlopsError

KINDS = ("node", "deployment")


def _when(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat()


def _entry(key: str) -> dict[str, Any]:
    folder = cache.build_folder(key)
    return {
        "key": key,
        "path": str(folder),
        "size_mb": round(cache.size(folder) / 1e6, 1),
        "last_used": _when(cache.last_used(key)),
    }


def keys_of(spec: Spec) -> dict[str, str]:
    """The content key of each kind of build of `spec` (node, deployment)."""
    interpreter = interpreter_for(spec.python)
    return {
        kind: build_key(spec, interpreter, runtime_requirements(kind, spec.requirements))
        for kind in KINDS
    }


def local_build(environment: Any, label: str | None = None) -> dict[str, Any]:
    """Whether an environment is built locally: for nodes and for deployments, where and how big.

    Args:
        environment: An azure-ai-ml Environment entity.
        label: Its name for users.
    """
    spec = from_entity(environment, label)
    if not spec.buildable:
        return {"built": False, "buildable": False, "notes": list(spec.notes)}
    builds = {kind: key for kind, key in keys_of(spec).items() if cache.is_built(key)}
    return {
        "built": bool(builds),
        "buildable": True,
        "builds": {kind: _entry(key) for kind, key in builds.items()},
        "notes": list(spec.notes),
    }


def all_builds() -> list[dict[str, Any]]:
    """Every build in the cache, with the environment it was built for."""
    found = []
    for key in cache.build_keys():
        stored = json.loads((cache.build_folder(key) / cache.SPEC_FILE).read_text("utf-8"))
        found.append({"environment": stored.get("label"), **_entry(key)})
    return found


def prune(older_than_days: float, everything: bool = False) -> list[dict[str, Any]]:
    """Remove cached builds unused for `older_than_days` (every one when `everything`).

    Returns:
        The builds removed, as `all_builds` lists them.
    """
    limit = time.time() - older_than_days * 86400
    removed = []
    for entry in all_builds():
        if everything or cache.last_used(entry["key"]) < limit:
            cache.remove(entry["key"])
            removed.append(entry)
    for leftover in cache.root().glob(".*.tmp"):
        # A build interrupted before its rename (its process is gone once no lock is held).
        if time.time() - leftover.stat().st_mtime > 3600:
            shutil.rmtree(leftover, ignore_errors=True)
    return removed


def build_now(environment: Any, label: str | None = None) -> Path:
    """Build an environment for nodes now (`mlops environment create --build`)."""
    spec = from_entity(environment, label)
    if not spec.buildable:
        raise MlopsError(f"{spec.notes[0]}. Fix: give the environment a conda_file to build.")
    interpreter = interpreter_for(spec.python)
    key = build_key(spec, interpreter, ())
    folder, _ = build(spec, interpreter, (), key)
    cache.touch(key)
    return folder
