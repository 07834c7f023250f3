"""azure-ai-ml's and marshmallow's error texts turned into this project's `Problem`s.

azure-ai-ml reports schema errors as text holding JSON (a `{"result": ..., "errors": [...]}`
block, or marshmallow's `{field: [messages]}` mapping); the forms are parsed here, and only here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlops.documents import YamlDocument, display_path
from mlops.errors import Problem

_ERRORS_JSON = re.compile(r"\{\s*\"result\".*\n\}", re.S)
_LOCATION_LINE = re.compile(r"#line (\d+)")
_YAML_LINE = re.compile(r"line (\d+), column \d+")
_MISSING_FILE = re.compile(r"No such file or directory: (\S+)")
_FIELD_ERRORS_JSON = re.compile(r"failed:\s*(\{.*?\n\})", re.S)
_REFERENCE_LINK = re.compile(r"refer to the .*? schema if needed: (\S+?)\.?$", re.M)


def schema_problems(path: Path, text: str, document: YamlDocument) -> list[Problem]:
    """Problems from a schema (marshmallow) error's text, one per field it names."""
    match = _ERRORS_JSON.search(text)
    if not match:
        return field_problems(path, text, document)
    problems = []
    for item in json.loads(match.group(0)).get("errors", []):
        field = item.get("path") or "file"
        location = _LOCATION_LINE.search(item.get("location", ""))
        line = int(location.group(1)) if location else document.line(field)
        problems.append(Problem(str(path), line, field, plain(item.get("message", ""))))
    return problems


def field_problems(path: Path, text: str, document: YamlDocument) -> list[Problem]:
    """Problems from the `{field: [messages]}` form of azure-ai-ml's schema errors.

    Data, endpoint and deployment loaders report this form rather than the `result` JSON.
    """
    match = _FIELD_ERRORS_JSON.search(text)
    try:
        errors = json.loads(match.group(1)) if match else None
    except json.JSONDecodeError:
        errors = None
    if not isinstance(errors, dict):
        return [Problem(str(path), None, "file", first_line(text))]
    link = _REFERENCE_LINK.search(text)
    fix = f"see {link.group(1)}" if link else None
    return [
        Problem(str(path), document.line(field), field, message, fix)
        for field, message in _flatten(errors, "")
    ]


def _flatten(errors: Any, prefix: str) -> list[tuple[str, str]]:
    """(dotted field, message) pairs of a nested marshmallow error mapping."""
    if isinstance(errors, dict):
        pairs = []
        for key, value in errors.items():
            field = f"{prefix}.{key}" if prefix else str(key)
            pairs += _flatten(value, field)
        return pairs
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return [(prefix or "file", plain("; ".join(errors)))]
    if isinstance(errors, list):
        return [pair for item in errors for pair in _flatten(item, prefix)]
    return [(prefix or "file", plain(str(errors)))]


def exception_problem(path: Path, text: str, document: YamlDocument) -> Problem:
    """The problem an azure-ai-ml exception's text describes (a missing file is named by field)."""
    missing = _MISSING_FILE.search(text)
    field = _field_naming(path, document.data, Path(missing.group(1))) if missing else None
    if missing and field:
        value = _value_at(document.data, field)
        return Problem(
            str(path),
            document.line(field),
            field,
            f"{value} does not exist (looked for {display_path(Path(missing.group(1)))})",
            "give a path relative to this file",
        )
    line = _YAML_LINE.search(text)
    return Problem(str(path), int(line.group(1)) if line else None, "file", first_line(text))


def _field_naming(path: Path, data: Any, missing: Path, prefix: str = "") -> str | None:
    """The dotted field whose value, relative to `path`'s folder, is the `missing` file."""
    if isinstance(data, dict):
        for key, value in data.items():
            field = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, str) and (path.parent / value).resolve() == missing.resolve():
                return field
            found = _field_naming(path, value, missing, field)
            if found:
                return found
    return None


def _value_at(data: Any, field: str) -> Any:
    for key in field.split("."):
        data = data[key]
    return data


def first_line(text: str) -> str:
    """The first non-blank line of an error text."""
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def plain(message: str) -> str:
    """azure-ai-ml's union-field messages are dict reprs; keep only the sentences in them."""
    sentences = re.findall(r"\[\"(.+?)\"\]|\['(.+?)'\]", message)
    if not sentences or not message.startswith("{"):
        return message
    return "; ".join(dict.fromkeys(a or b for a, b in sentences))
