"""An MLTable read into a pandas DataFrame, the way Azure ML's `mltable` package reads one.

Used by the driver (to split the table) and by each worker (to hand `run()` its rows), so both
see the same rows in the same order. The MLTable YAML is parsed by the driver
(`mlops.parallel.tables`) and arrives here as JSON: `{"base": folder, "files": [...],
"transformations": [...]}`, its paths already resolved to files and every transformation one
this module applies. Standard library and pandas only (the worker's environment holds pandas:
Azure asks for `mltable`, which needs it), and no syntax newer than the environment's Python.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# mltable's `encoding` names, as Python codecs.
ENCODINGS = {
    "utf8": "utf-8",
    "utf8bom": "utf-8-sig",
    "iso88591": "iso-8859-1",
    "latin1": "latin-1",
    "ascii": "ascii",
    "utf16": "utf-16",
    "utf32": "utf-32",
    "windows1252": "cp1252",
}
READERS = ("read_delimited", "read_parquet", "read_json_lines")
PATH_COLUMN = "Path"
# The dates mltable's type inference turns into datetime64 (ISO 8601, with or without a time).
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
# The file each row came from, kept until the transformations are applied.
_SOURCE = "__mlops_source__"


def read_table(table: dict[str, Any]) -> Any:
    """The table as a DataFrame: its files read, then its transformations applied in order.

    Args:
        table: The parsed MLTable (see the module docstring).

    Returns:
        A pandas DataFrame with a fresh 0..n-1 index.
    """
    import pandas as pd  # the worker imports pandas only for a table input

    steps = table["transformations"]
    reader = steps[0]
    name, options = next(iter(reader.items()))
    options = options or {}
    frames: list[Any] = []
    for path in table["files"]:
        first = [column for column in frames[0].columns if column != _SOURCE] if frames else []
        names = first[1:] if options.get("include_path_column") else first
        frames.append(_read(pd, name, options, Path(path), names if frames else None))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if name == "read_delimited" and options.get("infer_column_types", True):
        frame = _infer_types(pd, frame)
    base = Path(table["base"])
    for step in steps[1:]:
        frame = _transform(frame, step, base)
    return frame.drop(columns=[_SOURCE]).reset_index(drop=True)


def _read(pd: Any, name: str, options: dict[str, Any], path: Path, names: list[str] | None) -> Any:
    encoding = ENCODINGS.get(str(options.get("encoding", "utf8")).lower(), "utf-8")
    if name == "read_parquet":
        frame = pd.read_parquet(path)
    elif name == "read_json_lines":
        frame = pd.read_json(path, lines=True, encoding=encoding)
    else:
        frame = _read_delimited(pd, options, path, names, encoding)
    if options.get("include_path_column"):
        frame.insert(0, PATH_COLUMN, str(path))
    frame[_SOURCE] = str(path)
    return frame


def _read_delimited(
    pd: Any, options: dict[str, Any], path: Path, names: list[str] | None, encoding: str
) -> Any:
    header = str(options.get("header", "all_files_same_headers"))
    # After the first file, from_first_file reads no header row, all_files_same_headers skips
    # it; both name the columns as the first file does, by position.
    following = names is not None and header in ("from_first_file", "all_files_same_headers")
    has_header = header != "no_header" and not (following and header == "from_first_file")
    frame = pd.read_csv(
        path,
        sep=options.get("delimiter", ","),
        header=0 if has_header else None,
        encoding=encoding,
        # mltable reads only an empty field as missing, and keeps "NA" or "null" as text.
        keep_default_na=False,
        na_values=[] if options.get("empty_as_string") else [""],
        dtype=None if options.get("infer_column_types", True) else str,
    )
    if following:
        frame.columns = [*names, *frame.columns[len(names) :]][: len(frame.columns)]
    elif not has_header:
        frame.columns = [f"Column{n}" for n in range(1, len(frame.columns) + 1)]
    return frame


def _infer_types(pd: Any, frame: Any) -> Any:
    """The types mltable infers beyond pandas's: a column of only 0 and 1 is boolean, a column
    of ISO dates is datetime64 (pandas already reads numbers and true/false)."""
    for column in frame.columns:
        values = frame[column]
        if column == _SOURCE or values.isna().all():
            continue
        if values.dtype.kind == "i" and values.isin([0, 1]).all():
            frame[column] = values.astype(bool)
        elif values.dtype.kind not in "biufcmM":
            present = values.dropna().astype(str)
            if present.str.fullmatch(_ISO_DATE).all():
                frame[column] = pd.to_datetime(values)
    return frame


def _transform(frame: Any, step: dict[str, Any], base: Path) -> Any:
    name, value = next(iter(step.items()))
    if name == "take":
        return frame.head(int(value))
    if name == "skip":
        return frame.iloc[int(value) :]
    if name == "drop_columns":
        return frame.drop(columns=_columns(value), errors="ignore")
    if name == "keep_columns":
        missing = [column for column in _columns(value) if column not in frame.columns]
        if missing:
            known = ", ".join(str(column) for column in frame.columns if column != _SOURCE)
            raise ValueError(f"keep_columns: {', '.join(missing)} is not a column ({known})")
        return frame[[*_columns(value), _SOURCE]]
    if name == "extract_columns_from_partition_format":
        fields = value["partition_format"] if isinstance(value, dict) else value
        return _extract(frame, str(fields), base)
    raise ValueError(f"MLTable transformation {name} is not applied locally")


def _columns(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("columns", [])
    return [value] if isinstance(value, str) else [str(column) for column in value]


def _extract(frame: Any, partition_format: str, base: Path) -> Any:
    """Columns taken from each file's path, relative to the MLTable's folder, by a format such
    as `{Store}/{Brand}/{file_name}.{extension}` (matched against the end of the path)."""
    pattern = partition_format.strip("/")
    names = re.findall(r"{(\w+)}", pattern)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+?)" if re.fullmatch(r"{\w+}", part) else re.escape(part)
        for part in re.split(r"({\w+})", pattern)
        if part
    )
    values: dict[str, dict[str, str | None]] = {}
    for source in frame[_SOURCE].unique():
        path = Path(source)
        relative = (path.relative_to(base) if base in path.parents else path).as_posix()
        match = re.search(f"(?:^|/){regex}$", relative)
        values[source] = {name: match.group(name) if match else None for name in names}
    frame = frame.copy()
    for name in names:
        frame[name] = frame[_SOURCE].map(lambda source, name=name: values[source][name])
    return frame
