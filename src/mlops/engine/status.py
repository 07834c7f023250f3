"""A job record with its status made true: a job whose engine process is gone is not Running.

The engine records its identity (PID and start time, see `mlops.identity`) in the job's
properties; a PID that now belongs to another process does not keep a dead job Running.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from mlops import jobstore as store
from mlops.engine.record import JobRecord
from mlops.identity import Identity, identify, still_running

_ENDED_EARLY = "the engine process running this job ended before the job did"
# The statuses of a job or node that has not ended yet.
LIVE_STATUSES = frozenset({"Running", "NotStarted", "Queued", "Preparing", "CancelRequested"})


def engine_identity() -> dict[str, Any]:
    """The properties that identify the engine running a job (this process)."""
    me = identify(os.getpid())
    assert me is not None
    return {"engine_pid": me.pid, "engine_started": me.started, "engine_command": list(me.command)}


def with_live_status(record: dict[str, Any]) -> dict[str, Any]:
    """The record, with Running turned Failed (the job and its running nodes) when its engine
    process no longer runs; what `job show` and `job list` both print."""
    if record.get("status") not in LIVE_STATUSES or engine_runs(record):
        return record
    typed = JobRecord.from_json(record)
    jobs = {
        node_id: replace(node, status="Failed", message=_ENDED_EARLY)
        if node.status in LIVE_STATUSES
        else node
        for node_id, node in typed.jobs.items()
    }
    return replace(typed, status="Failed", error=_ENDED_EARLY, jobs=jobs).to_json()


def engine_runs(record: dict[str, Any]) -> bool:
    """Whether the engine process that runs the job of `record` still runs."""
    properties = record.get("properties") or {}
    pid = properties.get("engine_pid")
    if not pid:
        return False
    started = properties.get("engine_started")
    if started is None:
        # A record written before identities were kept: only the PID can be checked.
        return identify(int(pid)) is not None
    return still_running(Identity(int(pid), float(started), ()))


def current_record(name: str) -> dict[str, Any]:
    """`mlops job show`: the stored record with its live status.

    Raises:
        NotFoundError: No such job.
    """
    return with_live_status(store.load(name))
