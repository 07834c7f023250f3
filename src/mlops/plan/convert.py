"""azure-ai-ml's loaded entities turned into the typed plan: the one place that reads them.

Nested pipeline components are flattened: their nodes are named `outer/inner`, their inputs
follow the outer bindings, and a consumer of the outer node's output reads the inner output.
Data inputs stay as written (`DataRef`): the engine resolves them when the job runs.

This module reads entities by attribute and never imports azure-ai-ml itself; it belongs with
the azure adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.expressions import binding
from mlops.plan.model import (
    PATH_TYPES,
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
from mlops.plan.sources import typed_literal
from mlops.plan.wiring import GivenData, Ports, Wiring

COMMAND_NODE = "main"
# A sweep node's own fields, kept in the plan as written (azure-ai-ml's serialisation).
SWEEP_FIELDS = ("search_space", "sampling_algorithm", "objective", "limits", "early_termination")
# azure-ai-ml's DEFAULT_ARTIFACT_STORE_OUTPUT_NAME: a job's artifacts among its outputs.
ARTIFACTS_OUTPUT = "default"

# Looks up a registered component (`azureml:name:version`): its entity and stored YAML, or
# raises MlopsError.
ComponentLookup = Callable[[str], tuple[Any, Path]]


def plan_pipeline(job: Any, file: Path, lookup: ComponentLookup) -> Plan:
    """Flatten a loaded pipeline job into a plan of runnable nodes.

    Raises:
        ProblemsFound: A registered component cannot be found; nothing runs.
    """
    planner = _Planner(file, lookup)
    sources = {name: planner.job_input(name, value) for name, value in (job.inputs or {}).items()}
    outputs = planner.add_pipeline(job, sources, "")
    if planner.problems:
        raise ProblemsFound(planner.problems)
    resolved = {name: planner.follow(source) for name, source in outputs.items()}
    pipeline_outputs: dict[str, set[str]] = {}
    for name, source in resolved.items():
        if isinstance(source, Upstream) and source.node in planner.nodes:
            pipeline_outputs.setdefault(source.node, set()).add(name)
    nodes = {
        node_id: replace(
            node,
            inputs={name: planner.follow(source) for name, source in node.inputs.items()},
            pipeline_outputs=frozenset(pipeline_outputs.get(node_id, ())),
        )
        for node_id, node in planner.nodes.items()
    }
    return Plan(
        nodes,
        {k: v for k, v in resolved.items() if isinstance(v, Upstream)},
        _output_types(job),
        job_info(job),
        settings_of(job),
        sources,
        planner.registered,
    )


def plan_command_job(job: Any, file: Path) -> Plan:
    """A standalone `type: command` job as a plan of one node, `main` (never reused)."""
    planner = _Planner(file, _no_lookup)
    inputs = {name: planner.job_input(name, value) for name, value in (job.inputs or {}).items()}
    outputs = _output_types(job)
    environment = job.environment
    node = Node(
        id=COMMAND_NODE,
        type="command",
        command=job.command,
        code=_code_folder(job.code, job.base_path),
        environment=None if environment is None else str(environment),
        environment_reference=environment if isinstance(environment, str) else None,
        environment_conda=_conda(environment),
        component_environment_variables=_strings(job.environment_variables) or {},
        is_deterministic=False,
        inputs=inputs,
        outputs=outputs,
        pipeline_outputs=frozenset(outputs),
    )
    # The job's artifacts (`./outputs`, `./logs`, its log) are its `default` output on Azure.
    job_outputs = {**outputs, ARTIFACTS_OUTPUT: "uri_folder"}
    return Plan(
        {COMMAND_NODE: node},
        {name: Upstream(COMMAND_NODE, name) for name in job_outputs},
        job_outputs,
        job_info(job),
        settings_of(job),
        inputs,
    )


def _no_lookup(reference: str) -> tuple[Any, Path]:
    raise MlopsError(f"a command job names no component ({reference})")


def job_info(job: Any) -> JobInfo:
    """The job's own fields for its record: inputs as given (literals, or type and path)."""
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
    return JobInfo(
        type=job.type,
        display_name=job.display_name,
        experiment_name=job.experiment_name,
        description=job.description,
        tags={str(k): str(v) for k, v in (job.tags or {}).items()},
        inputs=inputs,
    )


def settings_of(job: Any) -> Settings:
    """The settings the engine honours (`--set` gives strings: "true" is true)."""
    settings = getattr(job, "settings", None)
    return Settings(
        default_compute=getattr(settings, "default_compute", None),
        continue_on_step_failure=bool(getattr(settings, "continue_on_step_failure", False)),
        force_rerun=str(getattr(settings, "force_rerun", False)).lower() == "true",
    )


def input_spec(declaration: Any) -> InputSpec:
    """A component's declared input (an azure-ai-ml Input) as plain data."""
    enum = getattr(declaration, "enum", None)
    return InputSpec(
        type=getattr(declaration, "type", None),
        default=getattr(declaration, "default", None),
        optional=bool(getattr(declaration, "optional", False)),
        min=getattr(declaration, "min", None),
        max=getattr(declaration, "max", None),
        enum=tuple(enum) if enum else None,
    )


def component_ports(component: Any) -> Ports:
    """A component's declared inputs and outputs (an azure-ai-ml component) as plain data."""
    return Ports(
        type=getattr(component, "type", None),
        inputs={name: input_spec(value) for name, value in (component.inputs or {}).items()},
        outputs={
            name: getattr(output, "type", None)
            for name, output in (component.outputs or {}).items()
        },
    )


def node_component(node: Any) -> Any:
    """What a pipeline node runs: its component, or a sweep node's trial (a command component,
    inline, a file or registered; the node's outputs are the best trial's); None for a node
    without one (AutoML)."""
    if getattr(node, "type", None) == "sweep":
        return getattr(node, "trial", None)
    return getattr(node, "component", None)


def node_wiring(node: Any, component: Any) -> Wiring:
    """A pipeline node (an azure-ai-ml node) and its component as plain data: the ports and
    what the node binds to them (what validation checks and the planner resolves)."""
    return Wiring(
        ports=component_ports(component),
        inputs={name: _given(value) for name, value in (node.inputs or {}).items()},
        outputs={name: _unwrapped(value) for name, value in (node.outputs or {}).items()},
    )


def pipeline_inputs(job: Any) -> dict[str, tuple[str | None, Any]]:
    """Input name -> (type, literal) of a pipeline job, with `--set` overrides applied: what
    `${{parent.inputs.<name>}}` gives its node inputs."""
    result = {}
    for name, value in (job.inputs or {}).items():
        data = _unwrapped(value)
        data_type = getattr(data, "type", None)
        if data_type is not None:
            result[name] = (data_type, None)
        elif data is not None and not isinstance(data, dict):
            result[name] = (None, data)
        else:
            result[name] = (None, None)
    return result


def _unwrapped(value: Any) -> Any:
    """The value azure-ai-ml's node input or output wrapper holds."""
    return getattr(value, "_data", value)


def _given(value: Any) -> Any:
    data = _unwrapped(value)
    if hasattr(data, "path"):  # an azure-ai-ml Input: data given by path
        path = data.path
        if isinstance(path, str) and path.strip().startswith("${{"):
            return path.strip()  # `path: ${{parent.jobs...}}`: a binding, as Azure reads it
        return GivenData(
            None if path is None else str(path),
            getattr(data, "type", None),
            getattr(data, "mode", None),
        )
    return data


def _output_types(entity: Any) -> dict[str, str]:
    return {
        name: getattr(output, "type", None) or "uri_folder"
        for name, output in (entity.outputs or {}).items()
    }


def _code_folder(code: Any, base_path: Any) -> str | None:
    """The code folder, relative to its YAML; None for a cloud location (not snapshotted)."""
    if not code or str(code).startswith(("azureml:", "http")):
        return None
    return str((Path(base_path) / str(code)).resolve())


def _strings(values: Any) -> dict[str, str] | None:
    if values is None:
        return None
    return {str(k): str(v) for k, v in dict(values).items()}


def _conda(environment: Any) -> dict[str, Any] | None:
    conda = getattr(environment, "conda_file", None)
    return conda if isinstance(conda, dict) else None


def _component_node(node_id: str, component: Any, node: Any, inputs: dict[str, Source]) -> Node:
    environment = getattr(component, "environment", None)
    variables = getattr(component, "environment_variables", None)
    task = getattr(component, "task", None)
    return Node(
        id=node_id,
        type=component.type,
        command=getattr(component, "command", None),
        code=_code_folder(getattr(component, "code", None), getattr(component, "base_path", ".")),
        environment=None if environment is None else str(environment),
        environment_reference=environment if isinstance(environment, str) else None,
        environment_conda=_conda(environment),
        component_environment_variables=(
            dict(variables) if isinstance(variables, Mapping) else variables
        ),
        is_deterministic=getattr(component, "is_deterministic", True) is not False,
        inputs=inputs,
        outputs=_output_types(component),
        environment_variables=_strings(getattr(node, "environment_variables", None)) or {},
        parallel=_parallel(component) if component.type == "parallel" else None,
        task_text=None if task is None else repr(getattr(task, "__dict__", task)),
    )


def _sweep_node(node_id: str, trial: Any, node: Any, inputs: dict[str, Source]) -> Node:
    """A `type: sweep` node: its trial's command node, with the sweep's own fields; each input
    its search space sets is left unbound (each trial binds its sampled value)."""
    document = node._to_dict()
    sweep = {key: document.get(key) for key in SWEEP_FIELDS}
    space = set(sweep["search_space"] or {})
    inputs = {name: None if name in space else source for name, source in inputs.items()}
    return replace(
        _component_node(node_id, trial, node, inputs),
        type="sweep",
        sweep=sweep,
    )


def _parallel(component: Any) -> ParallelSpec:
    task = component.task
    resources = getattr(component, "resources", None)
    retry = getattr(component, "retry_settings", None)
    code = getattr(component, "code", None)
    return ParallelSpec(
        name=getattr(component, "name", None),
        base_path=str(component.base_path),
        code=None if code is None else str(code),
        task=ParallelTask(
            type=getattr(task, "type", "run_function"),
            entry_script=getattr(task, "entry_script", None),
            program_arguments=getattr(task, "program_arguments", None),
            code=None if getattr(task, "code", None) is None else str(task.code),
            append_row_to=getattr(task, "append_row_to", None),
        )
        if task is not None
        else ParallelTask(None, None, None, None, None),
        inputs={name: input_spec(value) for name, value in (component.inputs or {}).items()},
        input_data=getattr(component, "input_data", None),
        mini_batch_size=_text(getattr(component, "mini_batch_size", None)),
        max_concurrency_per_instance=getattr(component, "max_concurrency_per_instance", None),
        resources=Resources(getattr(resources, "instance_count", None)),
        retry_settings=RetrySettings(
            getattr(retry, "max_retries", None), getattr(retry, "timeout", None)
        ),
        error_threshold=getattr(component, "error_threshold", None),
        mini_batch_error_threshold=getattr(component, "mini_batch_error_threshold", None),
        logging_level=getattr(component, "logging_level", None),
        partition_keys=tuple(str(key) for key in getattr(component, "partition_keys", None) or ()),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class _Planner:
    def __init__(self, file: Path, lookup: ComponentLookup) -> None:
        self.file = file
        self.lookup = lookup
        self.nodes: dict[str, Node] = {}
        self.aliases: dict[tuple[str, str], Source] = {}
        self.problems: list[Problem] = []
        self.registered: dict[str, str] = {}

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

    def _data(self, path: str, kind: str, mode: str | None, field_name: str) -> DataRef:
        # Absolute (a cached plan may run from another folder), symlinks kept as written.
        return DataRef(path, kind, mode, str(self.file.parent.absolute()), field_name)

    def add_pipeline(
        self, pipeline: Any, sources: dict[str, Source], prefix: str
    ) -> dict[str, Source]:
        outputs: dict[str, Source] = {}
        for name, node in (pipeline.jobs or {}).items():
            node_id = f"{prefix}{name}"
            component = self._component(node, node_id)
            if component is None:
                continue
            wiring = node_wiring(node, component)
            inputs = self._node_inputs(wiring, sources, prefix, node_id)
            if component.type == "pipeline":
                inner = self.add_pipeline(component, inputs, f"{node_id}/")
                for output, source in inner.items():
                    self.aliases[(node_id, output)] = source
            elif getattr(node, "type", None) == "sweep":
                self.nodes[node_id] = _sweep_node(node_id, component, node, inputs)
            else:
                self.nodes[node_id] = _component_node(node_id, component, node, inputs)
            for key, value in wiring.outputs.items():
                reference = binding(value)
                if reference and reference.scope == "parent" and reference.kind == "outputs":
                    outputs[reference.name] = Upstream(node_id, key)
        return outputs

    def _component(self, node: Any, node_id: str) -> Any:
        component = node_component(node)
        if not isinstance(component, str):
            return component
        try:
            entity, stored = self.lookup(component)
        except MlopsError as error:
            self.problems.append(
                Problem(str(self.file), None, f"jobs.{node_id}.component", str(error))
            )
            return None
        self.registered[component] = str(stored)
        return entity

    def _node_inputs(self, wiring: Wiring, sources, prefix, node_id) -> dict[str, Source]:
        inputs: dict[str, Source] = {}
        for name, declaration in wiring.ports.inputs.items():
            source = self._input_source(
                wiring.inputs.get(name),
                declaration,
                sources,
                prefix,
                f"jobs.{node_id}.inputs.{name}",
            )
            if source is None and declaration.default is not None:
                source = Literal(declaration.default)
            if isinstance(source, Literal):
                source = typed_literal(declaration.type, source.value)
            inputs[name] = source
        return inputs

    def _input_source(
        self, data: Any, declaration: InputSpec, sources, prefix, field_name
    ) -> Source:
        if data is None:
            return None
        reference = binding(data)
        if reference is not None:
            if reference.scope == "parent" and reference.kind == "inputs":
                return sources.get(reference.name)
            if reference.scope == "job":
                return Upstream(f"{prefix}{reference.job}", reference.name)
            return None
        kind = declaration.type
        if isinstance(data, GivenData) and data.path is not None:
            return self._data(data.path, data.type or kind, data.mode, field_name)
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
