"""The typed plan of a job: plain frozen dataclasses, serialisable to JSON and back.

Everything the engine needs from a job's YAML (commands, code folders, environments, input
declarations, bindings, settings) is a plain field here, so the engine never reads an
azure-ai-ml entity and a plan made once can be cached (`mlops.plan.cache`). This module must
not import azure-ai-ml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PATH_TYPES = {"uri_folder", "uri_file", "mlflow_model", "custom_model", "mltable", "triton_model"}


@dataclass(frozen=True)
class Literal:
    """A number, string or boolean."""

    value: Any


@dataclass(frozen=True)
class DataRef:
    """A data or model input as written (a local path, `azureml:name@latest`, a job output):
    resolved when the job runs, since registered versions move and local data changes."""

    path: str
    type: str
    mode: str | None
    base: str
    field: str


@dataclass(frozen=True)
class DataPath:
    """A local file or folder (given in the YAML, or an asset resolved to the local store)."""

    path: Path
    type: str
    mode: str | None = None
    asset: str | None = None


@dataclass(frozen=True)
class Upstream:
    """Output `output` of node `node` (its id in the flat plan)."""

    node: str
    output: str


Source = Literal | DataRef | DataPath | Upstream | None


@dataclass(frozen=True)
class InputSpec:
    """A declared input of a component: its type and bounds."""

    type: str | None
    default: Any = None
    optional: bool = False
    min: float | int | None = None
    max: float | int | None = None
    enum: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class ParallelTask:
    """A parallel component's `task:` (the field names are Azure ML's)."""

    type: str | None
    entry_script: str | None
    program_arguments: str | None
    code: str | None
    append_row_to: str | None


@dataclass(frozen=True)
class RetrySettings:
    """A parallel component's `retry_settings:`."""

    max_retries: int | None = None
    timeout: int | None = None


@dataclass(frozen=True)
class Resources:
    """A parallel component's `resources:` (only what the local runner honours)."""

    instance_count: int | None = None


@dataclass(frozen=True)
class ParallelSpec:
    """What the batch runner reads from a `type: parallel` component (Azure ML's field names)."""

    name: str | None
    base_path: str
    code: str | None
    task: ParallelTask
    inputs: dict[str, InputSpec]
    input_data: str | None
    mini_batch_size: str | None
    max_concurrency_per_instance: int | None
    resources: Resources
    retry_settings: RetrySettings
    error_threshold: int | None
    mini_batch_error_threshold: int | None
    logging_level: str | None
    # One mini-batch per distinct combination of these columns of an mltable input.
    partition_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    """One node to run: what it runs, where each input comes from, its outputs' types."""

    id: str
    type: str
    command: str | None
    code: str | None
    environment: str | None
    environment_reference: str | None
    environment_conda: dict[str, Any] | None
    component_environment_variables: dict[str, str] | None
    is_deterministic: bool
    inputs: dict[str, Source]
    outputs: dict[str, str]
    environment_variables: dict[str, str] = field(default_factory=dict)
    pipeline_outputs: frozenset[str] = frozenset()
    parallel: ParallelSpec | None = None
    # What a parallel node's reuse key takes in place of a command (its task, as text).
    task_text: str | None = None
    # A `type: sweep` node's own fields as written (search_space, sampling_algorithm,
    # objective, limits, early_termination): what `mlops.sweep.spec.parse_spec` reads. Its
    # command, code and environment are its trial's; the inputs the search space sets are None.
    sweep: dict[str, Any] | None = None

    @property
    def upstream(self) -> set[str]:
        """The nodes whose outputs this node reads."""
        return {source.node for source in self.inputs.values() if isinstance(source, Upstream)}


@dataclass(frozen=True)
class Settings:
    """The job settings the engine honours and records."""

    default_compute: str | None = None
    continue_on_step_failure: bool = False
    force_rerun: bool = False


@dataclass(frozen=True)
class JobInfo:
    """The job's own fields, as its record shows them."""

    type: str
    display_name: str | None
    experiment_name: str | None
    description: str | None
    tags: dict[str, str]
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """Every node of a job, where the job's own outputs come from, and the job's fields."""

    nodes: dict[str, Node]
    outputs: dict[str, Upstream]
    output_types: dict[str, str]
    job: JobInfo | None = None
    settings: Settings = Settings()
    # The job's own inputs, so that one no node binds is still resolved (and checked).
    inputs: dict[str, Source] = field(default_factory=dict)
    # Each registered component used (`azureml:name@latest`) and the stored YAML it resolved
    # to: a cached plan holds only while each still resolves to the same, unchanged file.
    registered_components: dict[str, str] = field(default_factory=dict)
