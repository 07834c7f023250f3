"""An `mltable` input of a parallel node: its MLTable file read and checked, and the table split
into mini-batches as Azure ML splits tabular input (by approximate size or by partition keys).

The MLTable file is checked when the node starts, so a transformation the local runner does not
apply is one line naming it before any worker runs; the driver then reads the table with
`workerside/mlops_mltable.py`, the reader every worker uses too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlops.documents import read_document
from mlops.errors import MlopsError
from mlops.parallel.workerside.mlops_mltable import READERS, read_table

# Azure ML's default mini-batch for tabular input (ParallelRunConfig: "the default value is 1MB").
DEFAULT_TABLE_BATCH_BYTES = 1024 * 1024
# What the local reader applies after a `read_*` transformation (see mlops_mltable).
TRANSFORMATIONS = frozenset(
    {"take", "skip", "drop_columns", "keep_columns", "extract_columns_from_partition_format"}
)
_READER_OPTIONS = {
    "read_delimited": {
        "delimiter",
        "header",
        "encoding",
        "empty_as_string",
        "include_path_column",
        "infer_column_types",
        "support_multi_line",
    },
    "read_parquet": {"include_path_column"},
    "read_json_lines": {"include_path_column", "encoding"},
}
_SIZE = re.compile(r"(\d+)\s*(b|kb|mb|gb)?", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def load_table(folder: Path, name: str) -> dict[str, Any]:
    """The MLTable in `folder`, checked and with its paths resolved to files.

    Args:
        folder: The mltable input's folder (it holds the `MLTable` file).
        name: The node, for messages.

    Returns:
        `{"base", "files", "transformations"}`; transformations empty for a table of files
        (no `read_*` transformation: mini-batches of files, as for a uri_folder).

    Raises:
        MlopsError: No MLTable file, one that is not YAML (or too large to be one), a remote or
            missing path, a transformation not applied locally.
    """
    file = Path(folder) / "MLTable"
    if not file.is_file():
        raise MlopsError(
            f"{name}: mltable input {folder} has no MLTable file. Fix: bind a folder with one."
        )
    document = read_document(file).data or {}
    if not isinstance(document, dict):
        raise MlopsError(f"{file}: an MLTable file is a mapping (paths, transformations).")
    files = _files(document.get("paths") or [], file.parent.resolve(), file)
    steps = [_step(step, file) for step in document.get("transformations") or []]
    if steps and next(iter(steps[0])) not in READERS:
        if any(next(iter(step)) in READERS for step in steps):
            raise MlopsError(f"{file}: transformations: the read_* step must come first.")
        raise MlopsError(
            f"{file}: transformations: {next(iter(steps[0]))} on a table of files is not applied "
            "locally. Fix: start with read_delimited, read_parquet or read_json_lines."
        )
    return {"base": str(file.parent.resolve()), "files": files, "transformations": steps}


def mini_batch_bytes(value: str | None, name: str) -> int:
    """A tabular mini_batch_size in bytes: `10kb`, `1mb`, `1024` (bytes); default 1 MB.

    azure-ai-ml has already turned `10kb` into 10240 when it loaded the file.
    """
    if value is None or str(value).strip() in ("", "0"):
        return DEFAULT_TABLE_BATCH_BYTES
    match = _SIZE.fullmatch(str(value).strip())
    if not match:
        raise MlopsError(
            f"{name}: mini_batch_size {value!r}: for an mltable input it is an approximate data "
            "size such as 10kb, 1mb or 1gb."
        )
    return int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]


def table_batches(
    table: dict[str, Any], size: int, partition_keys: Sequence[str]
) -> list[tuple[dict[str, Any], int]]:
    """The table's mini-batches: one per distinct value of the partition keys (in sorted order),
    else consecutive rows of about `size` bytes of the table's files.

    Returns:
        (payload, number of rows) pairs; a payload holds the row positions and, when
        partitioned, the `partition_key_value` the entry script's context shows.

    Raises:
        MlopsError: The table cannot be read, has no rows, or lacks a partition key.
    """
    try:
        frame = read_table(table)
    except (ValueError, OSError, ImportError) as error:  # pandas's parser errors are ValueErrors
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise MlopsError(f"the MLTable in {table['base']} cannot be read: {message}") from None
    if frame.empty:
        raise MlopsError(f"the MLTable in {table['base']} has no rows: there is nothing to score.")
    if partition_keys:
        missing = [key for key in partition_keys if key not in frame.columns]
        if missing:
            raise MlopsError(
                f"partition_keys {', '.join(missing)} not among the table's columns "
                f"({', '.join(map(str, frame.columns))})."
            )
        groups = frame.groupby(list(partition_keys), sort=True, dropna=False).indices
        batches = []
        for key, rows in groups.items():
            values = key if isinstance(key, tuple) else (key,)
            value = {k: _plain(v) for k, v in zip(partition_keys, values, strict=True)}
            batches.append(({"rows": rows.tolist(), "partition_key_value": value}, len(rows)))
        return batches
    total = sum(Path(path).stat().st_size for path in table["files"])
    per_batch = max(1, int(size // max(1.0, total / len(frame))))
    starts = range(0, len(frame), per_batch)
    spans = [range(start, min(start + per_batch, len(frame))) for start in starts]
    return [({"rows": list(span)}, len(span)) for span in spans]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (it crosses the pipe to the worker)."""
    return value.item() if hasattr(value, "item") else value


def _files(paths: list[Any], base: Path, file: Path) -> list[str]:
    found: list[str] = []
    for entry in paths:
        kind, value = next(iter(entry.items())) if isinstance(entry, dict) and entry else ("", "")
        if kind not in ("file", "folder", "pattern"):
            raise MlopsError(f"{file}: paths: {entry!r}: each path is a file, folder or pattern.")
        value = str(value)
        if "://" in value or value.startswith("azureml:"):
            raise MlopsError(
                f"{file}: paths: {kind} {value} is in the cloud; local runs read local files. "
                "Fix: a path relative to the MLTable file."
            )
        if kind == "pattern":
            pattern = value.removeprefix("./")
            if Path(pattern).is_absolute():  # pathlib globs only relative patterns
                if not Path(pattern).is_relative_to(base):
                    raise _outside(file, kind, value, base)
                pattern = str(Path(pattern).relative_to(base))
            matches = sorted(path for path in base.glob(pattern) if path.is_file())
        elif kind == "folder":
            matches = sorted(path for path in (base / value).rglob("*") if path.is_file())
        else:
            matches = [base / value] if (base / value).is_file() else []
        if not matches:
            raise MlopsError(f"{file}: paths: {kind} {value} matches no file under {base}.")
        # A symlink inside the folder may still lead out of it: its target counts.
        if any(not path.resolve().is_relative_to(base) for path in matches):
            raise _outside(file, kind, value, base)
        found.extend(str(path) for path in matches)
    if not found:
        raise MlopsError(f"{file}: paths lists no file. Fix: add a file, folder or pattern.")
    return found


def _outside(file: Path, kind: str, value: str, base: Path) -> MlopsError:
    """Nothing reads outside the folder the user bound as the input."""
    return MlopsError(
        f"{file}: paths: {kind} {value} reads outside the MLTable's folder {base}. "
        "Fix: a path relative to the MLTable file, to a file inside its folder."
    )


def _step(step: Any, file: Path) -> dict[str, Any]:
    if isinstance(step, str):
        step = {step: {}}
    if not isinstance(step, dict) or len(step) != 1:
        raise MlopsError(f"{file}: transformations: {step!r} is not one transformation.")
    name, options = next(iter(step.items()))
    if name in READERS:
        unknown = sorted(set(options or {}) - _READER_OPTIONS[name])
        if unknown:
            raise MlopsError(
                f"{file}: transformations: {name} option {', '.join(unknown)} is not applied "
                f"locally (it reads {', '.join(sorted(_READER_OPTIONS[name]))})."
            )
    elif name not in TRANSFORMATIONS:
        raise MlopsError(
            f"{file}: transformations: {name} is not applied locally (the local runner applies "
            f"{', '.join(READERS)} and {', '.join(sorted(TRANSFORMATIONS))}). "
            "Fix: drop it, or run the job on Azure ML."
        )
    return {name: options}
