"""Does a literal fit a typed input (type, min/max, enum), and does an output fit an input?"""

from __future__ import annotations

from typing import Any

PRIMITIVE_TYPES = {"integer", "number", "boolean", "string"}
_FOLDER_TYPES = {"uri_folder", "mlflow_model", "custom_model", "mltable", "triton_model"}


def literal_problem(declaration: Any, value: Any) -> str | None:
    """Why `value` does not fit the input `declaration` (an azure-ai-ml Input), or None.

    Strings that spell a number or a boolean fit, since `--set` and Azure pass strings.
    """
    kind = getattr(declaration, "type", None)
    if kind not in PRIMITIVE_TYPES:
        if isinstance(value, bool | int | float):
            return f"{value!r} is a literal, but the input is a {kind} (a file or folder path)"
        return None
    parsed = _parse(kind, value)
    if parsed is None:
        return f"{value!r} is not a valid {kind}"
    enum = getattr(declaration, "enum", None)
    if enum and str(parsed) not in [str(option) for option in enum]:
        return f"{value!r} is not one of {', '.join(map(str, enum))}"
    low, high = getattr(declaration, "min", None), getattr(declaration, "max", None)
    if kind in {"integer", "number"}:
        if low is not None and parsed < float(low):
            return f"{value!r} is below the minimum {low}"
        if high is not None and parsed > float(high):
            return f"{value!r} is above the maximum {high}"
    return None


def _parse(kind: str, value: Any) -> Any:
    if kind == "string":
        return value if isinstance(value, str | int | float | bool) else None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        return {"true": True, "false": False}.get(str(value).lower())
    if isinstance(value, bool):
        return None
    if kind == "integer":
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            return None
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value))
    except ValueError:
        return None


def type_fit_problem(source_type: str | None, target_type: str | None) -> str | None:
    """Why data of `source_type` cannot feed an input of `target_type`, or None when it can."""
    if not source_type or not target_type or source_type == target_type:
        return None
    if target_type in PRIMITIVE_TYPES or source_type in PRIMITIVE_TYPES:
        if target_type in PRIMITIVE_TYPES and source_type in PRIMITIVE_TYPES:
            return None
        return f"a {source_type} cannot feed a {target_type} input"
    if target_type == "uri_folder" and source_type in _FOLDER_TYPES:
        return None
    if target_type == "path":  # any data: a file, a folder or a table (as azure-ai-ml's own)
        return None
    if target_type == "custom_model" and source_type in {"mlflow_model", "uri_folder"}:
        return None
    if target_type == "mlflow_model" and source_type in {"custom_model", "uri_folder"}:
        return None
    return f"a {source_type} cannot feed a {target_type} input"
