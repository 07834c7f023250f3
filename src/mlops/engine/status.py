"""A job record with its status made true: a job whose engine process is gone is not Running."""

from __future__ import annotations

import os
from typing import Any

from mlops.engine import store


def with_live_status(record: dict[str, Any]) -> dict[str, Any]:
    """The record, with Running turned Failed when its engine process no longer exists."""
    if record.get("status") != "Running":
        return record
    pid = (record.get("properties") or {}).get("engine_pid")
    if pid and _alive(int(pid)):
        return record
    record = dict(record)
    record["status"] = "Failed"
    record["error"] = "the engine process running this job ended before the job did"
    return record


def current_record(name: str) -> dict[str, Any]:
    """`mlops job show`: the stored record with its live status.

    Raises:
        NotFoundError: No such job.
    """
    return with_live_status(store.load(name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
