"""A plan as JSON and back (for the plan cache): every field is plain data."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from mlops.plan.model import (
    DataPath,
    DataRef,
    InputSpec,
    JobInfo,
    Literal,
    Node,
    ParallelSpec,
    ParallelTask,
    Plan,
    Resources,
    RetrySettings,
    Settings,
    Source,
    Upstream,
)


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (`plan_from_json` reads it back equal)."""
    return {
        "nodes": {node_id: _node_to_json(node) for node_id, node in plan.nodes.items()},
        "outputs": {name: [up.node, up.output] for name, up in plan.outputs.items()},
        "output_types": dict(plan.output_types),
        "job": asdict(plan.job) if plan.job else None,
        "settings": asdict(plan.settings),
        "inputs": {name: source_to_json(source) for name, source in plan.inputs.items()},
        "registered_components": dict(plan.registered_components),
    }


def plan_from_json(data: dict[str, Any]) -> Plan:
    """The plan `plan_to_json` wrote.

    Raises:
        KeyError, TypeError, ValueError: The data is not a plan (a stale or damaged cache).
    """
    return Plan(
        nodes={node_id: _node_from_json(node) for node_id, node in data["nodes"].items()},
        outputs={name: Upstream(*pair) for name, pair in data["outputs"].items()},
        output_types=dict(data["output_types"]),
        job=JobInfo(**data["job"]) if data.get("job") else None,
        settings=Settings(**data["settings"]),
        inputs={name: source_from_json(value) for name, value in data["inputs"].items()},
        registered_components=dict(data["registered_components"]),
    )


def _node_to_json(node: Node) -> dict[str, Any]:
    data = asdict(node)
    data["inputs"] = {name: source_to_json(source) for name, source in node.inputs.items()}
    data["pipeline_outputs"] = sorted(node.pipeline_outputs)
    return data


def _node_from_json(data: dict[str, Any]) -> Node:
    data = dict(data)
    data["inputs"] = {name: source_from_json(value) for name, value in data["inputs"].items()}
    data["pipeline_outputs"] = frozenset(data["pipeline_outputs"])
    if data.get("parallel"):
        data["parallel"] = _parallel_from_json(data["parallel"])
    return Node(**data)


def _parallel_from_json(data: dict[str, Any]) -> ParallelSpec:
    data = dict(data)
    data["task"] = ParallelTask(**data["task"])
    data["inputs"] = {name: input_spec_from_json(spec) for name, spec in data["inputs"].items()}
    data["resources"] = Resources(**data["resources"])
    data["retry_settings"] = RetrySettings(**data["retry_settings"])
    data["partition_keys"] = tuple(data.get("partition_keys") or ())
    return ParallelSpec(**data)


def input_spec_from_json(data: dict[str, Any]) -> InputSpec:
    """An InputSpec from `asdict` output (its enum back to a tuple)."""
    data = dict(data)
    if data.get("enum") is not None:
        data["enum"] = tuple(data["enum"])
    return InputSpec(**data)


def source_to_json(source: Source) -> dict[str, Any] | None:
    """One input's source, tagged by its kind."""
    if source is None:
        return None
    if isinstance(source, Literal):
        return {"literal": source.value}
    if isinstance(source, Upstream):
        return {"upstream": [source.node, source.output]}
    if isinstance(source, DataRef):
        return {"data": asdict(source)}
    return {
        "local": {
            "path": str(source.path),
            "type": source.type,
            "mode": source.mode,
            "asset": source.asset,
        }
    }


def source_from_json(data: dict[str, Any] | None) -> Source:
    """The source `source_to_json` wrote."""
    if data is None:
        return None
    if "literal" in data:
        return Literal(data["literal"])
    if "upstream" in data:
        return Upstream(*data["upstream"])
    if "data" in data:
        return DataRef(**data["data"])
    local = data["local"]
    return DataPath(Path(local["path"]), local["type"], local["mode"], local["asset"])
