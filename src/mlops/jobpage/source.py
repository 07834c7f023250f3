"""The one place the job page reads a local job: its record (through the engine's
`current_record`, so a job whose engine died shows Failed), its logs and its output files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlops import jobstore
from mlops.engine.status import current_record
from mlops.jobpage.model import Edge, JobGraph, Node, Output

_BINDING = re.compile(
    r"^\$\{\{\s*parent\.jobs\.(?P<node>.+)\.outputs\.(?P<output>[^.\s}]+)\s*\}\}$"
)
_LOG_TAIL_LINES = 20
_FILES_SHOWN = 20
_IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".gif"}
_DECISION_FILE = "decision.json"
_DECISION_MAX_BYTES = 64 * 1024


def load_record(name: str) -> dict[str, Any]:
    """The stored record of job `name`, with its live status.

    Raises:
        NotFoundError: No such job.
    """
    return current_record(name)


def job_folder(name: str) -> Path:
    """The folder of job `name` (where its page is written)."""
    return jobstore.job_folder(name)


def read_job(name: str) -> JobGraph:
    """Job `name` as the page shows it.

    Raises:
        NotFoundError: No such job.
    """
    return from_record(load_record(name))


def child_jobs(name: str) -> list[dict[str, Any]]:
    """A pipeline job's nodes as az ml lists a job's child jobs (`--parent-job-name`): `name`,
    `display_name` (the node), `status`, times, and whether it was reused.

    Raises:
        NotFoundError: No such job.
    """
    record = load_record(name)
    children = []
    for node_id, entry in (record.get("jobs") or {}).items():
        reused = entry.get("status") == "Reused"
        properties = {"azureml.isreused": str(reused).lower()}
        if reused and entry.get("reused_from"):
            properties["azureml.reusedrunid"] = entry["reused_from"]
        children.append(
            {
                "name": f"{name}_{node_id.replace('/', '_')}",
                "display_name": node_id,
                "type": entry.get("type"),
                # Azure shows a reused child as Completed; its properties say it was reused.
                "status": "Completed" if reused else entry.get("status"),
                "start_time": entry.get("start_time"),
                "end_time": entry.get("end_time"),
                "properties": properties,
            }
        )
    return children


def from_record(record: dict[str, Any]) -> JobGraph:
    """A job record (as `mlops job show` prints it) as the page's graph."""
    if record.get("type") == "sweep":
        return _sweep(record)
    nodes = {
        node_id: record["jobs"][node_id] for node_id in _in_run_order(record.get("jobs") or {})
    }
    return JobGraph(
        name=record["name"],
        status=record.get("status") or "NotStarted",
        display_name=record.get("display_name"),
        duration_s=record.get("duration_s"),
        start_time=record.get("start_time"),
        error=record.get("error"),
        nodes=tuple(_node(node_id, entry) for node_id, entry in nodes.items()),
        edges=tuple(edges(nodes)),
        outputs=tuple(
            _output(name, (entry or {}).get("path"))
            for name, entry in (record.get("outputs") or {}).items()
        ),
        inputs=tuple((name, _shown(value)) for name, value in (record.get("inputs") or {}).items()),
    )


def edges(nodes: dict[str, Any]) -> list[Edge]:
    """The edges the nodes' input bindings (`${{parent.jobs.<node>.outputs.<o>}}`) make."""
    found = []
    for target, entry in nodes.items():
        for input_name, value in (entry.get("inputs") or {}).items():
            match = _BINDING.match(value) if isinstance(value, str) else None
            if match and match["node"] in nodes:
                found.append(Edge(match["node"], match["output"], target, input_name))
    return found


def _sweep(record: dict[str, Any]) -> JobGraph:
    """A sweep job: one sweep node whose trials (the record's `jobs`) fill its trials table."""
    best = (record.get("best_trial") or {}).get("name")
    trials = tuple(
        {
            "name": trial_id,
            "status": entry.get("status"),
            "duration_s": entry.get("duration_s"),
            "best": "★" if trial_id == best else "",
            "parameters": entry.get("parameters") or {},
            "metrics": entry.get("metrics") or {},
        }
        for trial_id, entry in (record.get("jobs") or {}).items()
    )
    outputs = tuple(
        _output(name, (entry or {}).get("path"))
        for name, entry in (record.get("outputs") or {}).items()
    )
    node = Node(
        id="sweep",
        type="sweep",
        status=record.get("status") or "NotStarted",
        duration_s=record.get("duration_s"),
        start_time=record.get("start_time"),
        message=record.get("message"),
        parameters=tuple((k, str(v)) for k, v in (record.get("search_space") or {}).items()),
        outputs=outputs,
        trials=trials,
        primary_metric=(record.get("objective") or {}).get("primary_metric"),
    )
    return JobGraph(
        name=record["name"],
        status=node.status,
        display_name=record.get("display_name"),
        duration_s=record.get("duration_s"),
        start_time=record.get("start_time"),
        error=record.get("error"),
        nodes=(node,),
        outputs=outputs,
        inputs=tuple((name, _shown(value)) for name, value in (record.get("inputs") or {}).items()),
    )


def _in_run_order(nodes: dict[str, Any]) -> list[str]:
    """The node ids upstream first (as the nodes can run), ties by start time then name."""
    upstream = {node_id: set() for node_id in nodes}
    for edge in edges(nodes):
        upstream[edge.target].add(edge.source)
    ordered: list[str] = []
    while len(ordered) < len(nodes):
        ready = [n for n in nodes if n not in ordered and upstream[n] <= set(ordered)]
        if not ready:  # a cycle cannot run; show the rest as recorded
            ready = [n for n in nodes if n not in ordered]
        ready.sort(key=lambda n: (nodes[n].get("start_time") or "~", n))
        ordered.append(ready[0])
    return ordered


def _node(node_id: str, entry: dict[str, Any]) -> Node:
    parameters = tuple(
        (name, _shown(value))
        for name, value in (entry.get("inputs") or {}).items()
        if not (isinstance(value, str) and _BINDING.match(value))
    )
    outputs = tuple(_output(name, path) for name, path in (entry.get("outputs") or {}).items())
    log = entry.get("log")
    objective = entry.get("objective") or {}
    return Node(
        id=node_id,
        type=entry.get("type") or "command",
        status=entry.get("status") or "NotStarted",
        duration_s=entry.get("duration_s"),
        start_time=entry.get("start_time"),
        reused_from=entry.get("reused_from"),
        message=entry.get("message"),
        exit_code=entry.get("exit_code"),
        parameters=parameters,
        metrics=tuple(sorted((entry.get("metrics") or {}).items())),
        tags=tuple(sorted((entry.get("tags") or {}).items())),
        outputs=outputs,
        log=log,
        log_tail=tuple(entry.get("log_tail") or _tail(log)),
        decision=_decision(outputs),
        images=tuple(file for output in outputs for file in output.files if _is_image(file)),
        trials=tuple(entry.get("trials") or ()),
        primary_metric=objective.get("primary_metric") or entry.get("primary_metric"),
    )


def _output(name: str, path: str | None) -> Output:
    if not path:
        return Output(name, None)
    folder = Path(path)
    if folder.is_file():
        return Output(name, path, (path,))
    if not folder.is_dir():
        return Output(name, path)
    files = sorted(str(file) for file in folder.rglob("*") if file.is_file())
    return Output(name, path, tuple(files[:_FILES_SHOWN]))


def _decision(outputs: tuple[Output, ...]) -> dict[str, Any] | None:
    """A gate's `decision.json` in one of the node's outputs, when there is one."""
    for output in outputs:
        for file in output.files:
            path = Path(file)
            if path.name != _DECISION_FILE or path.stat().st_size > _DECISION_MAX_BYTES:
                continue
            try:
                decision = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(decision, dict):
                return decision
    return None


def _tail(log: str | None) -> list[str]:
    if not log or not Path(log).is_file():
        return []
    with Path(log).open("rb") as stream:
        stream.seek(0, 2)
        stream.seek(max(0, stream.tell() - 16 * 1024))
        text = stream.read().decode("utf-8", errors="replace")
    return text.splitlines()[-_LOG_TAIL_LINES:]


def _is_image(file: str) -> bool:
    return Path(file).suffix.lower() in _IMAGE_SUFFIXES


def _shown(value: Any) -> str:
    if isinstance(value, dict) and "path" in value:
        return f"{value.get('type') or 'data'}: {value['path']}"
    return str(value)
