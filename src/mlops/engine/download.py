"""`mlops job download`: a job's outputs and artifacts copied out, laid out as az ml lays them
out: `named-outputs/<output>/`, and the artifacts (the `default` output: `outputs/`, `logs/`,
`user_logs/std_log.txt`) under `artifacts/` -- per node, `artifacts/<node>/`, for a pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlops import jobstore as store
from mlops.engine.artifacts import DEFAULT_OUTPUT

ARTIFACTS = "artifacts"
NAMED_OUTPUTS = "named-outputs"


def download_job(
    name: str, destination: Path, *, output_name: str | None = None, everything: bool = False
) -> dict[str, Any]:
    """Copy what az ml's `job download` would: with neither an output name nor `everything`,
    the artifacts alone (as az ml downloads the logs); `--output-name default` is the artifacts.

    Raises:
        NotFoundError: No such job or output.
    """
    record = store.load(name)
    if everything:
        names = sorted(set(record.get("outputs") or {}) - {DEFAULT_OUTPUT})
    elif output_name and output_name != DEFAULT_OUTPUT:
        names = [output_name]
    else:
        names = []
    copied = {}
    for output in names:
        source = store.output_path(name, output)
        target = destination / NAMED_OUTPUTS / output
        _copy(source, target / source.name if source.is_file() else target)
        copied[output] = str(target)
    if everything or not names:
        _copy_artifacts(record, destination / ARTIFACTS)
        copied[DEFAULT_OUTPUT] = str(destination / ARTIFACTS)
    return {"name": name, "download_path": str(destination), "outputs": copied}


def _copy_artifacts(record: dict[str, Any], target: Path) -> None:
    """A command job's artifacts into `target`; a pipeline's, node by node, into
    `target/<node>` (a node without artifacts, from an older record: its log)."""
    own = ((record.get("outputs") or {}).get(DEFAULT_OUTPUT) or {}).get("path")
    if own and Path(own).is_dir():
        _copy(Path(own), target)
        return
    for node, state in (record.get("jobs") or {}).items():
        artifacts = (state.get("outputs") or {}).get(DEFAULT_OUTPUT)
        if artifacts and Path(artifacts).is_dir():
            _copy(Path(artifacts), target / node)
        elif state.get("log") and Path(state["log"]).is_file():
            log = Path(state["log"])
            _copy(log, target / node / "user_logs" / log.name)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, copy_function=shutil.copyfile)
    else:
        shutil.copyfile(source, target)
