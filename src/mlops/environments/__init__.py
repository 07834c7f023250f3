"""Environments, built: each node and deployment runs in the Python its environment names.

An environment's conda file becomes a virtualenv built with uv and cached by content under
MLOPS_HOME (`cache`), unless the mode (`modes`) says the engine's own interpreter will do.
Whatever runs where, a node runs in a throwaway overlay (`overlay`), so its `pip install`
never changes the engine's interpreter or a cached build.

The hooks: `prepare_all` (before a job's nodes start), `node_variables` (each node's PATH),
`describe` (the job record), `deployment_python` (a deployment's server), `enter_site` (a
batch worker).
"""

from __future__ import annotations

import importlib
import logging
import os
import platform
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.environments.modes import current_mode
from mlops.environments.overlay import make_overlay

if TYPE_CHECKING:
    from mlops.environments.choose import Prepared
    from mlops.environments.spec import Wanted

# `spec` and `choose` are imported where used, not here: a parallel node's batch worker imports
# this package for `enter_site` alone, and they load the asset store (packaging, sqlite3,
# filelock): about 0.15 s per worker process on a loaded 2-core machine, against 0.03 s.

__all__ = [
    "deployment_python",
    "describe",
    "enter_site",
    "node_variables",
    "prepare_all",
    "prepared_for",
]

logger = logging.getLogger(__name__)

_prepared: dict[tuple[str, str, str], Prepared] = {}
_lock = threading.Lock()
_BUILDS_AT_ONCE = 2
SITE_VARIABLE = "MLOPS_ENVIRONMENT_SITE"


def _memo_key(wanted: Wanted | None, kind: str) -> tuple[str, str, str]:
    from mlops.environments.spec import cache_token  # deferred: see the note at the top

    return (current_mode(), kind, cache_token(wanted))


def prepared_for(wanted: Wanted | None, kind: str = "node") -> Prepared:
    """Where an environment runs (building it when the mode says so); remembered.

    Args:
        wanted: The environment a node or deployment names (`spec.of_node`, `spec.of_entity`);
            None for none.
        kind: "node" or "deployment" (a deployment adds the inference server).

    Raises:
        MlopsError: The build failed; UsageError: MLOPS_ENV_MODE is not a mode.
    """
    from mlops.environments.choose import prepare  # deferred: see the note at the top
    from mlops.environments.spec import Spec, of_wanted

    memo = _memo_key(wanted, kind)
    with _lock:
        known = _prepared.get(memo)
    if known is not None and (known.bin_folder is None or known.bin_folder.is_dir()):
        return known
    spec = of_wanted(wanted) or Spec("none", notes=(), buildable=False)
    prepared = prepare(spec, memo[0], kind)
    with _lock:
        _prepared[memo] = prepared
    return prepared


def _say(prepared: Prepared) -> None:
    where = (
        f"a build ({prepared.bin_folder.parent})"
        if prepared.bin_folder
        else "the engine's interpreter"
    )
    logger.info(
        "Environment %s [%s mode]: runs in %s, Python %s: %s.",
        prepared.label,
        prepared.mode,
        where,
        prepared.version,
        prepared.reason,
    )
    for note in prepared.notes:
        logger.info("Note: %s", note)


def prepare_all(environments: Iterable[Wanted | None], kind: str = "node") -> list[Prepared]:
    """Prepare every distinct environment of a job before its nodes start (builds in parallel),
    and say in one line each where it runs.

    Raises:
        MlopsError: A build failed (the first failure, naming package, reason and log).
    """
    distinct: dict[tuple[str, str, str], Wanted | None] = {}
    for wanted in environments:
        distinct.setdefault(_memo_key(wanted, kind), wanted)
    if not distinct:
        return []
    with ThreadPoolExecutor(max_workers=_BUILDS_AT_ONCE) as pool:
        futures = [pool.submit(prepared_for, wanted, kind) for wanted in distinct.values()]
        results = [future.result() for future in futures]
    for prepared in results:
        if prepared.label != "none":
            _say(prepared)
    return results


def describe(wanted: Wanted | None, kind: str = "node") -> dict[str, Any] | None:
    """A prepared environment's record entry (mode, where it ran, why), None when not prepared."""
    with _lock:
        prepared = _prepared.get(_memo_key(wanted, kind))
    return prepared.to_json() if prepared else None


def node_variables(
    wanted: Wanted | None, overlay_folder: Path, engine_bin: Path, path: str
) -> dict[str, str]:
    """The variables that run a node in its environment, inside a throwaway overlay.

    Args:
        wanted: The node's environment (`spec.of_node`).
        overlay_folder: A folder of the node's own for the overlay venv (replaced).
        engine_bin: The folder where `python` is the engine's interpreter.
        path: The PATH the node would otherwise see.

    Returns:
        PATH (the overlay's bin, then the build's or the engine's), VIRTUAL_ENV (the overlay,
        so `pip install` and `uv pip install` write there) and MLOPS_ENVIRONMENT.
    """
    prepared = prepared_for(wanted)
    bin_folder = make_overlay(
        overlay_folder,
        prepared.python,
        list(prepared.site),
        prepared.version,
        prepared.full_version,
    )
    base_bin = prepared.bin_folder or engine_bin
    variables = {
        "PATH": os.pathsep.join([str(bin_folder), str(base_bin), path]),
        "VIRTUAL_ENV": str(overlay_folder),
        "MLOPS_ENVIRONMENT": f"{prepared.label} ({prepared.mode}: {prepared.ran_in})",
    }
    if prepared.bin_folder and prepared.full_version == platform.python_version():
        # A parallel node's workers run on the engine's interpreter (they import mlops): they
        # put the build's packages first (`enter_site`), which needs the same Python.
        variables[SITE_VARIABLE] = os.pathsep.join(str(folder) for folder in prepared.site)
    return variables


def enter_site() -> None:
    """Put the environment's site-packages first on sys.path (a batch worker, at its start).

    A parallel node's worker runs on the engine's interpreter; this makes the packages of its
    environment's build win over the engine's. Does nothing outside such a node.
    """
    folders = [folder for folder in os.environ.get(SITE_VARIABLE, "").split(os.pathsep) if folder]
    for folder in reversed(folders):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    if folders:
        importlib.invalidate_caches()


def deployment_python(wanted: Wanted | None) -> str:
    """The interpreter a deployment's inference server runs on (its build's, or the engine's).

    Args:
        wanted: The deployment's environment (`spec.of_entity`).

    Raises:
        MlopsError: The build failed.
    """
    prepared = prepared_for(wanted, "deployment")
    if prepared.label != "none":
        _say(prepared)
    return str(prepared.bin_folder / "python") if prepared.bin_folder else sys.executable
