"""`mlops job download`: a job's outputs copied out, laid out as az ml lays them out."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlops import jobstore as store
from mlops.errors import NotFoundError, UsageError


def download_job(
    name: str, destination: Path, *, output_name: str | None = None, everything: bool = False
) -> dict[str, Any]:
    """Copy outputs to `destination/named-outputs/<output>` (and logs with `everything`).

    Raises:
        NotFoundError: No such job or output.
        UsageError: Neither an output name nor `everything` was given.
    """
    record = store.load(name)
    if not output_name and not everything:
        raise UsageError("give --output-name NAME, or --all for every output and the logs.")
    names = [output_name] if output_name else sorted(record.get("outputs") or {})
    copied = {}
    for output in names:
        source = store.output_path(name, output)
        target = destination / "named-outputs" / output
        _copy(source, target / source.name if source.is_file() else target)
        copied[output] = str(target)
    if everything:
        for node, state in (record.get("jobs") or {}).items():
            log = Path(state["log"])
            if log.is_file():
                _copy(log, destination / "artifacts" / node / "user_logs" / log.name)
    if not copied and output_name:
        raise NotFoundError(f"job {name!r} has no output {output_name!r}.")
    return {"name": name, "download_path": str(destination), "outputs": copied}


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, copy_function=shutil.copyfile)
    else:
        shutil.copyfile(source, target)
