"""Environments, built: each node and deployment runs in the Python its environment names.

An environment's conda file becomes a virtualenv built with uv and cached by content under
MLOPS_HOME (`cache`), unless the mode (`modes`) says the engine's own interpreter will do.
Whatever runs where, a node runs in a throwaway overlay (`overlay`), so its `pip install`
never changes the engine's interpreter or a cached build.

The hooks: `prepare_all` (before a job's nodes start: a build that fails fails only the nodes
that need it, when they start, as Azure fails a node whose image it cannot prepare),
`node_variables` (each node's PATH), `describe` (the job record), `deployment_python` (a
deployment's server); a parallel node's workers run on the interpreter `PYTHON_VARIABLE` names
(its overlay's).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.environments.modes import current_mode
from mlops.environments.overlay import make_overlay
from mlops.errors import MlopsError
from mlops.home import mlops_home

if TYPE_CHECKING:
    from mlops.environments.choose import Prepared
    from mlops.environments.spec import Wanted

# `spec` and `choose` are imported where used, not here: a parallel node's driver (for
# PYTHON_VARIABLE) and the job record (for `describe`, read by `mlops job list/show`) import this
# package, and those two load the asset store (packaging, sqlite3, filelock).

__all__ = [
    "deployment_python",
    "describe",
    "node_variables",
    "prepare_all",
    "prepared_for",
]

logger = logging.getLogger(__name__)

# (mode, kind, specification token, local state folder): a build lives under one MLOPS_HOME,
# so a process that moves to another (a test, a library caller) does not reuse the old one's.
MemoKey = tuple[str, str, str, str]
_prepared: dict[MemoKey, Prepared] = {}
# The builds `prepare_all` saw fail, by memo key: the message each node that needs one fails with.
_failed: dict[MemoKey, str] = {}
_lock = threading.Lock()
_BUILDS_AT_ONCE = 2
# The node's own interpreter (its overlay's), which a parallel node's workers run on.
PYTHON_VARIABLE = "MLOPS_ENVIRONMENT_PYTHON"


def _memo_key(wanted: Wanted | None, kind: str) -> MemoKey:
    from mlops.environments.spec import cache_token  # deferred: see the note at the top

    return (current_mode(), kind, cache_token(wanted), str(mlops_home()))


def prepared_for(wanted: Wanted | None, kind: str = "node") -> Prepared:
    """Where an environment runs (building it when the mode says so); remembered.

    Args:
        wanted: The environment a node or deployment names (`spec.of_node`, `spec.of_entity`);
            None for none.
        kind: "node" or "deployment" (a deployment adds the inference server).

    Raises:
        MlopsError: The build failed (now, or in this job's `prepare_all`); UsageError:
            MLOPS_ENV_MODE is not a mode.
    """
    from mlops.environments.choose import prepare  # deferred: see the note at the top
    from mlops.environments.spec import Spec, of_wanted

    memo = _memo_key(wanted, kind)
    with _lock:
        known = _prepared.get(memo)
        failure = _failed.get(memo)
    if failure is not None:
        raise MlopsError(failure)
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

    A build that fails does not stop the job: it is said in one line (package, reason, log), and
    each node that needs it fails when it starts (`prepared_for` raises its message again).

    Returns:
        The environments prepared (those whose build failed left out).

    Raises:
        UsageError: MLOPS_ENV_MODE is not a mode.
    """
    distinct: dict[MemoKey, Wanted | None] = {}
    for wanted in environments:
        distinct.setdefault(_memo_key(wanted, kind), wanted)
    if not distinct:
        return []
    with _lock:
        for memo in distinct:  # a new job tries again what an earlier one saw fail
            _failed.pop(memo, None)
    with ThreadPoolExecutor(max_workers=_BUILDS_AT_ONCE) as pool:
        futures = {
            memo: pool.submit(prepared_for, wanted, kind) for memo, wanted in distinct.items()
        }
    results = []
    for memo, future in futures.items():
        try:
            prepared = future.result()
        except MlopsError as error:
            logger.error("%s; the nodes that need it fail.", error)
            with _lock:
                _failed[memo] = str(error)
            continue
        if prepared.label != "none":
            _say(prepared)
        results.append(prepared)
    return results


def describe(wanted: Wanted | None, kind: str = "node") -> dict[str, Any] | None:
    """A prepared environment's record entry (mode, where it ran, why), or the failure of its
    build (`ran_in` None, `error` its one line); None when not prepared."""
    memo = _memo_key(wanted, kind)
    with _lock:
        prepared = _prepared.get(memo)
        failure = _failed.get(memo)
    if failure is not None:
        return {"mode": memo[0], "ran_in": None, "error": failure}
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
        so `pip install` and `uv pip install` write there), MLOPS_ENVIRONMENT and
        MLOPS_ENVIRONMENT_PYTHON (the overlay's python, for a parallel node's workers).
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
    return {
        "PATH": os.pathsep.join([str(bin_folder), str(base_bin), path]),
        "VIRTUAL_ENV": str(overlay_folder),
        "MLOPS_ENVIRONMENT": f"{prepared.label} ({prepared.mode}: {prepared.ran_in})",
        PYTHON_VARIABLE: str(bin_folder / "python"),
    }


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
