"""The job record: typed while the engine works on it, written as az ml shows a job by one
function (`JobRecord.to_json`), read back by `JobRecord.from_json`.

The JSON's field names and order are what `mlops job show` prints and what `job.json` holds;
other packages (job list, download, the job page) read that JSON, so they stay as they are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mlops import jobstore as store
from mlops.engine.artifacts import DEFAULT_OUTPUT, artifacts_folder
from mlops.engine.node import NodeState
from mlops.environments import describe
from mlops.environments.spec import of_node
from mlops.plan.model import DataPath, Literal, Node, Upstream

_LOG_TAIL_LINES = 20


def iso(timestamp: float | None) -> str | None:
    """A UTC ISO-8601 time, as Azure prints it."""
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat()


@dataclass(frozen=True)
class NodeRecord:
    """One node's entry in the job record (`jobs.<node>`)."""

    status: str
    type: str | None
    start_time: str | None
    end_time: str | None
    duration_s: float | None
    inputs: dict[str, Any]
    outputs: dict[str, str]
    command: list[str]
    working_directory: str | None
    log: str
    mlflow_run_id: str | None
    reused_from: str | None
    exit_code: int | None
    metrics: dict[str, float]
    tags: dict[str, str]
    environment: dict[str, Any] | None
    # Written only when set, as the JSON has always had them.
    message: str | None = None
    process: dict[str, Any] | None = None
    log_tail: list[str] | None = None
    # A sweep node's: its objective, trials and best trial (the job page draws them).
    objective: dict[str, Any] | None = None
    trials: list[dict[str, Any]] | None = None
    best_trial: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The node as the job record shows it."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for optional in ("message", "process", "log_tail", "objective", "trials", "best_trial"):
            if data[optional] is None:
                del data[optional]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NodeRecord:
        """A node entry as stored (fields an older record lacks are empty)."""
        values: dict[str, Any] = {f.name: None for f in fields(cls)}
        values.update(
            status="NotStarted", inputs={}, outputs={}, command=[], log="", metrics={}, tags={}
        )
        values.update({k: v for k, v in data.items() if k in values})
        return cls(**values)


@dataclass(frozen=True)
class JobRecord:
    """A job as `mlops job show` prints it, with az ml's field names."""

    name: str
    type: str
    display_name: str
    experiment_name: str
    description: str | None
    status: str
    tags: dict[str, str]
    creation_context: dict[str, Any]
    start_time: str | None
    end_time: str | None
    duration_s: float | None
    settings: dict[str, Any]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    jobs: dict[str, NodeRecord]
    properties: dict[str, Any]
    services: dict[str, Any]
    # Why a job whose engine died is Failed (see `status.with_live_status`).
    error: str | None = None
    # Fields this version does not know (a newer writer's): kept as they are.
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The one writer of the job's JSON, as az ml shows a job."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name in {"jobs", "error", "extra"}:
                if f.name == "jobs":
                    data["jobs"] = {k: node.to_json() for k, node in self.jobs.items()}
                continue
            data[f.name] = getattr(self, f.name)
        data.update(self.extra)
        if self.error is not None:
            data["error"] = self.error
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRecord:
        """A record as stored in `job.json` (fields it lacks take empty values)."""
        known = {f.name for f in fields(cls)} - {"extra"}
        values: dict[str, Any] = {
            "description": None,
            "tags": {},
            "creation_context": {},
            "start_time": None,
            "end_time": None,
            "duration_s": None,
            "settings": {},
            "inputs": {},
            "outputs": {},
            "properties": {},
            "services": {},
            "display_name": data.get("name"),
            "experiment_name": "",
            "type": "pipeline",
        }
        values.update({k: v for k, v in data.items() if k in known})
        values["jobs"] = {
            k: NodeRecord.from_json(node) for k, node in (data.get("jobs") or {}).items()
        }
        values["extra"] = {k: v for k, v in data.items() if k not in known}
        return cls(**values)

    def with_node(self, node_id: str, node: NodeRecord) -> JobRecord:
        """The record with one node's entry replaced."""
        return replace(self, jobs={**self.jobs, node_id: node})


def load_record(name: str) -> JobRecord:
    """The stored record of job `name`.

    Raises:
        NotFoundError: No such job.
    """
    return JobRecord.from_json(store.load(name))


def save_record(record: JobRecord) -> None:
    """Write the record atomically (as `to_json` shows it)."""
    store.save(record.to_json())


def node_record(
    job: str, state: NodeState, metrics: dict[str, float], tags: dict[str, str]
) -> NodeRecord:
    """One node's entry in the job record."""
    duration = None
    if state.start_time and state.end_time:
        duration = round(state.end_time - state.start_time, 3)
    log = store.log_path(job, state.node.id)
    return NodeRecord(
        status=state.status,
        type=state.node.type,
        start_time=iso(state.start_time),
        end_time=iso(state.end_time),
        duration_s=duration,
        inputs=node_inputs(state.node),
        outputs=node_outputs(job, state),
        command=state.argv,
        working_directory=str(state.workdir) if state.workdir else None,
        log=str(log),
        mlflow_run_id=state.run_id,
        reused_from=state.reused_from,
        exit_code=state.exit_code,
        metrics=metrics,
        tags=tags,
        environment=describe(of_node(state.node)),
        message=state.message or None,
        process=state.process if state.status == "Running" and state.process else None,
        log_tail=log_tail(log) if state.status == "Failed" else None,
        objective=(state.node.sweep or {}).get("objective"),
        trials=state.trials,
        best_trial=state.best_trial,
    )


def node_outputs(job: str, state: NodeState) -> dict[str, str]:
    """A node's outputs, with its artifacts as `default` (a reused node's are the earlier
    node's, as az ml's download follows a reused job)."""
    outputs = {name: str(path) for name, path in state.outputs.items()}
    job, node = state.reused_from.split("/", 1) if state.reused_from else (job, state.node.id)
    artifacts = artifacts_folder(job, node)
    if artifacts.is_dir():
        outputs[DEFAULT_OUTPUT] = str(artifacts)
    return outputs


def node_inputs(node: Node) -> dict[str, Any]:
    """Where each of a node's inputs comes from, as az ml shows a pipeline's node bindings:
    `${{parent.jobs.<node>.outputs.<output>}}`, a literal, or a data path (the job page's graph
    is drawn from these)."""
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
