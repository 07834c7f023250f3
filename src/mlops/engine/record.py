"""The job as `mlops job show` prints it, with az ml's field names."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from mlops import jobstore as store
from mlops.engine.node import NodeState
from mlops.environments import describe

_LOG_TAIL_LINES = 20


def iso(timestamp: float | None) -> str | None:
    """A UTC ISO-8601 time, as Azure prints it."""
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat()


def node_record(
    job: str, state: NodeState, metrics: dict[str, float], tags: dict[str, str]
) -> dict[str, Any]:
    """One node's entry in the job record."""
    duration = None
    if state.start_time and state.end_time:
        duration = round(state.end_time - state.start_time, 3)
    log = store.log_path(job, state.node.id)
    entry: dict[str, Any] = {
        "status": state.status,
        "type": state.node.component.type,
        "start_time": iso(state.start_time),
        "end_time": iso(state.end_time),
        "duration_s": duration,
        "inputs": node_inputs(state.node),
        "outputs": {name: str(path) for name, path in state.outputs.items()},
        "command": state.argv,
        "working_directory": str(state.workdir) if state.workdir else None,
        "log": str(log),
        "mlflow_run_id": state.run_id,
        "reused_from": state.reused_from,
        "exit_code": state.exit_code,
        "metrics": metrics,
        "tags": tags,
        "environment": describe(state.node.component),
    }
    if state.message:
        entry["message"] = state.message
    if state.status == "Running" and state.process:
        entry["process"] = state.process
    if state.status == "Failed":
        entry["log_tail"] = log_tail(log)
    return entry


def node_inputs(node: Any) -> dict[str, Any]:
    """Where each of a node's inputs comes from, as az ml shows a pipeline's node bindings:
    `${{parent.jobs.<node>.outputs.<output>}}`, a literal, or a data path (the job page's graph
    is drawn from these)."""
    from mlops.engine.sources import DataPath, Literal, Upstream

    inputs: dict[str, Any] = {}
    for name, source in node.inputs.items():
        if isinstance(source, Upstream):
            inputs[name] = f"${{{{parent.jobs.{source.node}.outputs.{source.output}}}}}"
        elif isinstance(source, DataPath):
            inputs[name] = {"type": source.type, "path": str(source.path)}
        elif isinstance(source, Literal):
            inputs[name] = source.value
    return inputs


def log_tail(log: Path, lines: int = _LOG_TAIL_LINES) -> list[str]:
    """The last lines of a node's log."""
    if not log.is_file():
        return []
    return log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]


def job_inputs(job: Any) -> dict[str, Any]:
    """The job's inputs as given (literals, or type and path for data)."""
    inputs = {}
    for name, value in (job.inputs or {}).items():
        data = getattr(value, "_data", value)
        if hasattr(data, "path") or hasattr(data, "type"):
            inputs[name] = {
                "type": getattr(data, "type", None),
                "path": str(getattr(data, "path", None)),
            }
        else:
            inputs[name] = data
    return inputs
