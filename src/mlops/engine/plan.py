"""The pipeline as a flat graph of runnable nodes, with every input traced to where it comes from.

Nested pipeline components are flattened: their nodes are named `outer/inner`, their inputs
follow the outer bindings, and a consumer of the outer node's output reads the inner output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops.assets import resolve_component
from mlops.azure.kinds import PATH_TYPES
from mlops.engine.sources import (
    DataPath,
    Literal,
    Source,
    Upstream,
    data_source,
    typed_literal,
)
from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.expressions import binding
from mlops.validation import load_entity


@dataclass
class PlannedNode:
    """One node to run: its component, where each input comes from, its outputs' types."""

    id: str
    component: Any
    inputs: dict[str, Source]
    outputs: dict[str, str]
    environment_variables: dict[str, str] = field(default_factory=dict)
    pipeline_outputs: set[str] = field(default_factory=set)

    @property
    def upstream(self) -> set[str]:
        """The nodes whose outputs this node reads."""
        return {source.node for source in self.inputs.values() if isinstance(source, Upstream)}


@dataclass
class Plan:
    """Every node of a job and where the job's own outputs come from."""

    nodes: dict[str, PlannedNode]
    outputs: dict[str, Upstream]
    output_types: dict[str, str]


def build_plan(job: Any, file: Path) -> Plan:
    """Flatten a loaded pipeline job into runnable nodes.

    Raises:
        ProblemsFound: An input cannot be resolved (a missing path, an unknown asset, a cloud
            location that cannot be read offline) -- before anything runs.
    """
    planner = _Planner(file)
    sources = {name: planner.job_input(name, value) for name, value in (job.inputs or {}).items()}
    outputs = planner.add_pipeline(job, sources, "")
    if planner.problems:
        raise ProblemsFound(planner.problems)
    resolved = {name: planner.follow(source) for name, source in outputs.items()}
    for node in planner.nodes.values():
        node.inputs = {name: planner.follow(source) for name, source in node.inputs.items()}
    for name, source in resolved.items():
        if isinstance(source, Upstream) and source.node in planner.nodes:
            planner.nodes[source.node].pipeline_outputs.add(name)
    types = {
        name: getattr(output, "type", None) or "uri_folder"
        for name, output in (job.outputs or {}).items()
    }
    return Plan(
        planner.nodes, {k: v for k, v in resolved.items() if isinstance(v, Upstream)}, types
    )


class _Planner:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.nodes: dict[str, PlannedNode] = {}
        self.aliases: dict[tuple[str, str], Source] = {}
        self.problems: list[Problem] = []

    def job_input(self, name: str, value: Any) -> Source:
        data = getattr(value, "_data", value)
        if data is None:
            return None
        path = getattr(data, "path", None)
        kind = getattr(data, "type", None)
        if kind is not None and path is None:
            return None
        if path is not None:
            return self._data(
                str(path), kind or "uri_folder", getattr(data, "mode", None), f"inputs.{name}"
            )
        return Literal(data)

    def _data(self, path: str, kind: str, mode: str | None, field_name: str) -> Source:
        try:
            return data_source(path, kind, mode, self.file.parent)
        except MlopsError as error:
            self.problems.append(Problem(str(self.file), None, field_name, str(error)))
            return None

    def add_pipeline(
        self, pipeline: Any, sources: dict[str, Source], prefix: str
    ) -> dict[str, Source]:
        outputs: dict[str, Source] = {}
        for name, node in (pipeline.jobs or {}).items():
            node_id = f"{prefix}{name}"
            component = self._component(node, node_id)
            if component is None:
                continue
            inputs = self._node_inputs(node, component, sources, prefix, node_id)
            if component.type == "pipeline":
                inner = self.add_pipeline(component, inputs, f"{node_id}/")
                for output, source in inner.items():
                    self.aliases[(node_id, output)] = source
            else:
                self.nodes[node_id] = PlannedNode(
                    node_id,
                    component,
                    inputs,
                    {
                        key: getattr(value, "type", None) or "uri_folder"
                        for key, value in (component.outputs or {}).items()
                    },
                    {
                        str(k): str(v)
                        for k, v in (getattr(node, "environment_variables", None) or {}).items()
                    },
                )
            for key, value in (node.outputs or {}).items():
                reference = binding(getattr(value, "_data", value))
                if reference and reference.scope == "parent" and reference.kind == "outputs":
                    outputs[reference.name] = Upstream(node_id, key)
        return outputs

    def _component(self, node: Any, node_id: str) -> Any:
        component = node.component
        if not isinstance(component, str):
            return component

        reference = component if component.startswith("azureml:") else f"azureml:{component}"
        try:
            return load_entity(resolve_component(reference).path, "component")
        except MlopsError as error:
            self.problems.append(
                Problem(str(self.file), None, f"jobs.{node_id}.component", str(error))
            )
            return None

    def _node_inputs(self, node, component, sources, prefix, node_id) -> dict[str, Source]:
        inputs: dict[str, Source] = {}
        values = node.inputs or {}
        for name, declaration in (component.inputs or {}).items():
            data = getattr(values.get(name), "_data", None)
            source = self._input_source(
                data, declaration, sources, prefix, f"jobs.{node_id}.inputs.{name}"
            )
            if source is None and getattr(declaration, "default", None) is not None:
                source = Literal(declaration.default)
            if isinstance(source, Literal):
                source = typed_literal(getattr(declaration, "type", None), source.value)
            inputs[name] = source
        return inputs

    def _input_source(self, data, declaration, sources, prefix, field_name) -> Source:
        if data is None:
            return None
        reference = binding(data) if isinstance(data, str) else None
        if reference is not None:
            if reference.scope == "parent" and reference.kind == "inputs":
                return sources.get(reference.name)
            if reference.scope == "job":
                return Upstream(f"{prefix}{reference.job}", reference.name)
            return None
        path = getattr(data, "path", None)
        kind = getattr(declaration, "type", None)
        if path is not None:
            return self._data(
                str(path),
                getattr(data, "type", None) or kind,
                getattr(data, "mode", None),
                field_name,
            )
        if kind in PATH_TYPES and isinstance(data, str):
            return self._data(data, kind, None, field_name)
        return Literal(data)

    def follow(self, source: Source) -> Source:
        seen = set()
        while isinstance(source, Upstream) and (source.node, source.output) in self.aliases:
            if (source.node, source.output) in seen:
                raise MlopsError(f"the outputs of {source.node} are bound in a cycle")
            seen.add((source.node, source.output))
            source = self.aliases[(source.node, source.output)]
        return source


__all__ = ["DataPath", "Literal", "Plan", "PlannedNode", "Upstream", "build_plan"]


@dataclass
class CommandJobComponent:
    """A standalone command job seen as the one component it runs (never reused, as on Azure)."""

    command: str
    code: Any
    base_path: Any
    environment: Any
    environment_variables: dict[str, str]
    type: str = "command"
    is_deterministic: bool = False


COMMAND_NODE = "main"


def build_command_plan(job: Any, file: Path) -> Plan:
    """A standalone `type: command` job as a plan of one node, `main`.

    Raises:
        ProblemsFound: An input cannot be resolved; nothing runs.
    """
    planner = _Planner(file)
    inputs = {name: planner.job_input(name, value) for name, value in (job.inputs or {}).items()}
    if planner.problems:
        raise ProblemsFound(planner.problems)
    component = CommandJobComponent(
        job.command, job.code, job.base_path, job.environment, dict(job.environment_variables or {})
    )
    outputs = {
        name: getattr(output, "type", None) or "uri_folder"
        for name, output in (job.outputs or {}).items()
    }
    node = PlannedNode(COMMAND_NODE, component, inputs, outputs, pipeline_outputs=set(outputs))
    return Plan(
        {COMMAND_NODE: node}, {name: Upstream(COMMAND_NODE, name) for name in outputs}, outputs
    )
