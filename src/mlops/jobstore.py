"""Where a local job keeps its state, outputs and logs, under `<mlops home>/jobs/<name>/`.

A core module, not the engine's: the engine writes jobs, and the asset store reads their outputs
(`azureml://jobs/<job>/outputs/<output>`) without depending on the engine.

jobs/<name>/job.json                          the job as `mlops job show` prints it
jobs/<name>/nodes/<node>/outputs/<output>     each node's outputs
jobs/<name>/nodes/<node>/user_logs/std_log.txt   each node's log (Azure's file name)
jobs/<name>/cancel_requested                  written by `mlops job cancel`
jobs/<name>/updates.json                      `mlops job update` and `archive`: kept apart from
                                              job.json, which a running engine rewrites
jobs/<name>/updates.lock                      held while one update reads and writes updates.json
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlops import atomic
from mlops.errors import MlopsError, NotFoundError
from mlops.home import mlops_home

STATE_FILE = "job.json"
CANCEL_FILE = "cancel_requested"
UPDATES_FILE = "updates.json"
UPDATES_LOCK = "updates.lock"
# The fields `job update` changes (as on Azure: description, tags, display name, properties).
UPDATABLE = ("description", "display_name", "properties", "tags")


def jobs_root() -> Path:
    """The folder holding every local job."""
    return mlops_home() / "jobs"


def job_folder(name: str) -> Path:
    """The folder of job `name` (which may not exist yet).

    Raises:
        MlopsError: `name` is not a plain job name (no paths).
    """
    if not name or "/" in name or name.startswith(".") or "\\" in name:
        raise MlopsError(f"{name!r} is not a job name: use letters, digits, - and _.")
    return jobs_root() / name


def node_folder(job: str, node: str) -> Path:
    """The folder of one node's outputs and logs (nested pipeline nodes as `outer/inner`)."""
    return job_folder(job) / "nodes" / node


def log_path(job: str, node: str) -> Path:
    """A node's log file."""
    return node_folder(job, node) / "user_logs" / "std_log.txt"


def save(record: dict[str, Any]) -> None:
    """Write a job's record atomically."""
    atomic.write_json(job_folder(record["name"]) / STATE_FILE, record)


def load(name: str) -> dict[str, Any]:
    """The record of job `name`.

    Raises:
        NotFoundError: There is no such job.
    """
    path = job_folder(name) / STATE_FILE
    if not path.is_file():
        raise NotFoundError(
            f"job {name!r} does not exist in {jobs_root()}. Fix: `mlops job list` shows the jobs."
        )
    return _with_updates(atomic.read_json(path), name)


def updates(name: str) -> dict[str, Any]:
    """What `job update` and `job archive` set on job `name`: `UPDATABLE` fields, `archived`."""
    path = job_folder(name) / UPDATES_FILE
    return atomic.read_json(path) if path.is_file() else {}


@contextmanager
def updating(name: str) -> Iterator[None]:
    """Hold job `name`'s update lock, so two `job update` calls at once both keep their change.

    Raises:
        NotFoundError: There is no such job.
    """
    load(name)
    with open(job_folder(name) / UPDATES_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def save_updates(name: str, changed: dict[str, Any]) -> None:
    """Record `job update`/`archive` changes; `load` applies them over the engine's record."""
    atomic.write_json(job_folder(name) / UPDATES_FILE, {**updates(name), **changed})


def is_archived(name: str) -> bool:
    """Whether job `name` is archived (left out of `job list`)."""
    return bool(updates(name).get("archived"))


def _with_updates(record: dict[str, Any], name: str) -> dict[str, Any]:
    changed = updates(name)
    shown = {key: changed[key] for key in UPDATABLE if key in changed}
    if "properties" in shown:
        # The engine's own properties (its identity) stay; the user's are added over them.
        shown["properties"] = {**(record.get("properties") or {}), **shown["properties"]}
    return {**record, **shown}


def exists(name: str) -> bool:
    """Whether a job of that name was ever created."""
    return job_folder(name).exists()


def all_records() -> list[dict[str, Any]]:
    """Every job's record, newest first."""
    records = []
    for path in jobs_root().glob(f"*/{STATE_FILE}"):
        try:
            records.append(_with_updates(atomic.read_json(path), path.parent.name))
        except (OSError, ValueError):
            continue
    return sorted(records, key=lambda record: record.get("start_time") or "", reverse=True)


def output_path(job_name: str, output_name: str) -> Path:
    """Where output `output_name` of job `job_name` is (`azureml://jobs/<job>/outputs/<output>`).

    Pipeline outputs, and node outputs named `<node>.<output>`, are both found.

    Raises:
        NotFoundError: The job, or that output of it, does not exist.
    """
    record = load(job_name)
    outputs = dict(record.get("outputs") or {})
    for node, state in (record.get("jobs") or {}).items():
        for name, path in (state.get("outputs") or {}).items():
            outputs.setdefault(f"{node}.{name}", {"path": path})
    entry = outputs.get(output_name)
    if not entry or not entry.get("path") or not Path(entry["path"]).exists():
        names = ", ".join(sorted(outputs)) or "none"
        raise NotFoundError(
            f"job {job_name!r} has no output {output_name!r} (status {record.get('status')}; "
            f"outputs: {names})."
        )
    return Path(entry["path"])
