"""What one local parallel run needs, taken from an azure-ai-ml ParallelComponent and kept as
JSON, so the driver process reads it without importing azure-ai-ml (2-3 s)."""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlops import atomic
from mlops.azure.kinds import PATH_TYPES
from mlops.errors import MlopsError
from mlops.expressions import (
    ExpressionError,
    Reference,
    binding,
    format_value,
    quote_path,
    render_command,
)
from mlops.parallel.tables import load_table, mini_batch_bytes

# Azure ML's defaults for a parallel job (reference-yaml-job-parallel).
DEFAULT_MAX_RETRIES = 3
DEFAULT_TIMEOUT_S = 60
APPEND_ROW_FILE = "parallel_run_step.txt"
# The local twin of a batch deployment's `output_file_name`: read (and removed) by the driver.
FILE_NAME_ARGUMENT = "--append_row_file_name"


@dataclass
class RunSpec:
    """A parallel run: the files or table to score, how to split them, the script, the limits.

    `mini_batch_size` counts files, or bytes for a table (`table` set with a `read_*`
    transformation: the parsed MLTable, see `mlops.parallel.tables.load_table`).
    """

    input_path: str
    mini_batch_size: int
    entry_script: str
    script_arguments: list[str]
    search_path: list[str]
    workdir: str
    workers: int
    max_retries: int = DEFAULT_MAX_RETRIES
    timeout_s: float = DEFAULT_TIMEOUT_S
    error_threshold: int = -1
    mini_batch_error_threshold: int = -1
    logging_level: str = "INFO"
    append_row_to: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    table: dict[str, Any] | None = None
    partition_keys: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        """Write the spec as JSON."""
        atomic.write_json(path, asdict(self))

    @classmethod
    def load(cls, path: Path) -> RunSpec:
        """Read a spec written by `save`."""
        return cls(**atomic.read_json(path))


def build_spec(
    component: Any,
    inputs: dict[str, object],
    outputs: dict[str, Path],
    workdir: Path,
    cores: int,
) -> RunSpec:
    """Turn a ParallelComponent and its resolved inputs and outputs into a run spec.

    Args:
        component: The azure-ai-ml ParallelComponent.
        inputs: Input values: paths as str, literals as Python values, None when unset.
        outputs: Output paths.
        workdir: The node's working folder (its code snapshot).
        cores: The most worker processes to start.

    Returns:
        The spec.

    Raises:
        MlopsError: A setting the local runner cannot honour, named with its fix.
    """
    name = getattr(component, "name", None) or "parallel component"
    task = component.task
    if task is None or getattr(task, "type", "run_function") != "run_function":
        raise MlopsError(f"{name}: task.type must be run_function (the only type Azure ML runs).")
    values = {f"inputs.{k}": _text(component, k, v) for k, v in inputs.items()}
    values.update({f"outputs.{k}": quote_path(str(v)) for k, v in outputs.items()})
    input_path, is_table = _input_data(component, inputs, name)
    table = load_table(Path(input_path), name) if is_table else None
    tabular = bool(table and table["transformations"])
    partition_keys = list(getattr(component, "partition_keys", None) or ())
    if partition_keys and not tabular:
        raise MlopsError(
            f"{name}: partition_keys split a table: input_data must be an mltable input whose "
            "MLTable reads a table (read_delimited, read_parquet or read_json_lines)."
        )
    try:
        script_arguments = shlex.split(render_command(task.program_arguments or "", values))
    except ExpressionError as error:
        raise MlopsError(f"{name}: task.program_arguments: {error}.") from None
    code = _code_folder(component, workdir)
    entry_script = _entry_script(task.entry_script, workdir, code, name)
    file_name, script_arguments = _file_name(script_arguments)
    append_row_to = _append_row_to(task.append_row_to, outputs, file_name, name)
    resources = getattr(component, "resources", None)
    instances = int(getattr(resources, "instance_count", None) or 1)
    per_instance = int(component.max_concurrency_per_instance or 1)
    retry = component.retry_settings
    return RunSpec(
        input_path=input_path,
        mini_batch_size=mini_batch_bytes(component.mini_batch_size, name)
        if tabular
        else _mini_batch_size(component.mini_batch_size, name),
        entry_script=str(entry_script),
        script_arguments=script_arguments,
        search_path=list(dict.fromkeys([str(workdir), str(code), str(entry_script.parent)])),
        workdir=str(workdir),
        workers=max(1, min(instances * per_instance, cores)),
        max_retries=_int(getattr(retry, "max_retries", None), DEFAULT_MAX_RETRIES),
        timeout_s=float(_int(getattr(retry, "timeout", None), DEFAULT_TIMEOUT_S)),
        error_threshold=_int(component.error_threshold, -1),
        mini_batch_error_threshold=_int(component.mini_batch_error_threshold, -1),
        logging_level=str(component.logging_level or "INFO").upper(),
        append_row_to=append_row_to,
        environment=worker_variables(append_row_to, outputs, workdir),
        table=table,
        partition_keys=partition_keys,
    )


def worker_variables(
    append_row_to: str | None, outputs: dict[str, Path], workdir: Path
) -> dict[str, str]:
    """The variables Azure ML's parallel runtime gives each worker, beyond the job's own.

    `AZUREML_BI_OUTPUT_PATH` is the folder of the `append_row` result (the batch deployment's
    output folder), where entry scripts write their own files (`EntryScript().output_dir` reads
    it); without `append_row_to`, the node's first folder output, else its `./outputs`.
    """
    if append_row_to:
        folder = Path(append_row_to).parent
    else:
        folders = [path for path in outputs.values() if path.is_dir()]
        folder = folders[0] if folders else Path(workdir) / "outputs"
    return {"AZUREML_BI_OUTPUT_PATH": str(folder)}


def _text(component: Any, name: str, value: object) -> str | None:
    """An input as program_arguments show it: paths quoted (they are split like a shell's)."""
    if value is None:
        return None
    declared = getattr((component.inputs or {}).get(name), "type", None)
    return quote_path(str(value)) if declared in PATH_TYPES else format_value(value)


def _int(value: Any, default: int) -> int:
    return default if value is None else int(value)


def _input_data(component: Any, inputs: dict[str, object], name: str) -> tuple[str, bool]:
    """The path of the input to split, and whether it is an mltable input."""
    reference = _reference(component.input_data)
    if reference is None or reference.kind != "inputs":
        raise MlopsError(
            f"{name}: input_data must be ${{{{inputs.<name>}}}}, got {component.input_data!r}."
        )
    declared = (component.inputs or {}).get(reference.name)
    value = inputs.get(reference.name)
    if value is None:
        raise MlopsError(f"{name}: input_data {reference.name} has no value. Fix: bind it.")
    return str(value), getattr(declared, "type", None) == "mltable"


def _mini_batch_size(value: Any, name: str) -> int:
    text = str(value if value is not None else "1").strip()
    if not text.isdigit() or int(text) < 1:
        raise MlopsError(
            f"{name}: mini_batch_size {text!r}: for a folder of files it is the number of files "
            "per mini-batch, a whole number >= 1 (sizes such as 10kb apply to tabular mltable "
            "inputs)."
        )
    return int(text)


def _code_folder(component: Any, workdir: Path) -> Path:
    code = getattr(component.task, "code", None) or getattr(component, "code", None)
    if not code:
        return workdir
    return (Path(component.base_path) / str(code)).resolve()


def _entry_script(entry_script: str | None, workdir: Path, code: Path, name: str) -> Path:
    if not entry_script:
        raise MlopsError(f"{name}: task.entry_script is missing. Fix: name your scoring script.")
    for folder in (workdir, code):
        if (folder / entry_script).is_file():
            return folder / entry_script
    raise MlopsError(
        f"{name}: task.entry_script {entry_script} is not in the code folder {code}. "
        "Fix: give its path relative to task.code."
    )


def _file_name(arguments: list[str]) -> tuple[str | None, list[str]]:
    if FILE_NAME_ARGUMENT not in arguments:
        return None, arguments
    index = arguments.index(FILE_NAME_ARGUMENT)
    return arguments[index + 1], arguments[:index] + arguments[index + 2 :]


def _append_row_to(
    value: str | None, outputs: dict[str, Path], file_name: str | None, name: str
) -> str | None:
    if not value:
        return None
    reference = _reference(value)
    if reference is None or reference.kind != "outputs" or reference.name not in outputs:
        raise MlopsError(
            f"{name}: task.append_row_to must be ${{{{outputs.<name>}}}} of a declared output, "
            f"got {value!r}."
        )
    path = outputs[reference.name]
    # A uri_folder output gets Azure's file name inside it; a uri_file output is the file.
    return str(path / (file_name or APPEND_ROW_FILE)) if path.is_dir() else str(path)


def _reference(value: object) -> Reference | None:
    try:
        return binding(value)
    except ExpressionError:
        return None
