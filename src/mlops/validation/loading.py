"""Load any Azure ML YAML with azure-ai-ml's own loader and turn its errors into Problems."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml

from mlops.errors import Problem, ProblemsFound
from mlops.validation.display import display_path
from mlops.validation.kinds import KINDS, kind_from_schema
from mlops.validation.lines import YamlDocument

_ERRORS_JSON = re.compile(r"\{\s*\"result\".*\n\}", re.S)
_LOCATION_LINE = re.compile(r"#line (\d+)")
_YAML_LINE = re.compile(r"line (\d+), column \d+")
_MISSING_FILE = re.compile(r"No such file or directory: (\S+)")
_FIELD_ERRORS_JSON = re.compile(r"failed:\s*(\{.*?\n\})", re.S)
_REFERENCE_LINK = re.compile(r"refer to the .*? schema if needed: (\S+?)\.?$", re.M)


# The largest YAML read: Azure ML files are a few kilobytes; a bigger one is a wrong path
# (a data file, a device such as /dev/zero) that would otherwise be read into memory.
MAX_YAML_BYTES = 4 * 1024 * 1024

# Parsed files by (path, mtime, size): a component is read by every pipeline that uses it.
_DOCUMENTS: dict[tuple[Path, int, int], YamlDocument] = {}


def read_document(path: Path) -> YamlDocument:
    """Read and parse a YAML file (once while it is unchanged).

    Raises:
        ProblemsFound: It is missing, not a regular file, larger than MAX_YAML_BYTES,
            unreadable or not valid YAML.
    """
    try:
        stat = path.stat()
        _check_readable_size(path, stat)
        key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
        if key in _DOCUMENTS:
            return _DOCUMENTS[key]
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemsFound(
            [Problem(str(path), None, "file", "does not exist", "check the path")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProblemsFound(
            [Problem(str(path), None, "file", f"cannot be read: {error}")]
        ) from None
    try:
        document = _DOCUMENTS[key] = YamlDocument(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        raise ProblemsFound(
            [Problem(str(path), line, "yaml", f"invalid YAML: {problem}", "fix the indentation")]
        ) from None
    return document


def _check_readable_size(path: Path, stat: os.stat_result) -> None:
    """Refuse, before reading, what is not a YAML file: a device, a pipe, a huge file."""
    if not S_ISREG(stat.st_mode):
        raise ProblemsFound(
            [Problem(str(path), None, "file", "is not a regular file", "give a YAML file")]
        )
    if stat.st_size > MAX_YAML_BYTES:
        raise ProblemsFound(
            [
                Problem(
                    str(path),
                    None,
                    "file",
                    f"is {stat.st_size:,} bytes; an Azure ML YAML file is at most "
                    f"{MAX_YAML_BYTES:,} here",
                    "check the path: it should be a job, component, endpoint or asset YAML",
                )
            ]
        )


def load_entity(
    path: Path,
    kind: str | None = None,
    params_override: list[dict[str, Any]] | None = None,
) -> Any:
    """Load `path` with the azure-ai-ml loader for its kind.

    Args:
        path: The YAML file.
        kind: One of `KINDS`; None detects it from the file's `$schema`.
        params_override: az ml's `--set` / `--name` overrides, as azure-ai-ml takes them.

    Returns:
        The azure-ai-ml entity.

    Raises:
        ProblemsFound: The file is missing, not YAML, of an unknown kind, or azure-ai-ml
            rejects it; each problem names the file, line and field.
    """
    path = Path(path)
    document = read_document(path)
    kind = kind or kind_from_schema(document.data)
    if kind not in KINDS:
        raise ProblemsFound(
            [
                Problem(
                    str(path),
                    document.line("$schema"),
                    "$schema",
                    "cannot tell which Azure ML file this is",
                    "start the file with the $schema URL of its kind, e.g. "
                    "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
                )
            ]
        )
    return _load(path, kind, params_override or [], document)


def _load(path: Path, kind: str, params_override: list[dict[str, Any]], document: YamlDocument):
    from azure.ai.ml.exceptions import MlException
    from marshmallow.exceptions import ValidationError

    _quiet_azure_ai_ml()
    loader = _loader(kind)
    try:
        return loader(source=path, params_override=params_override)
    except ValidationError as error:
        raise ProblemsFound(_schema_problems(path, error, document)) from None
    except MlException as error:
        raise ProblemsFound([_exception_problem(path, error, document)]) from None


def _quiet_azure_ai_ml() -> None:
    """Silence azure-ai-ml's "experimental class" notices, which are not for our users.

    Deciding whether to print each notice costs an `inspect.stack()` (measured: 0.18 s of a
    0.26 s `load_job`); with the notices silenced that decision is moot, so skip it.
    """
    logging.getLogger("azure.ai.ml").setLevel(logging.ERROR)
    from azure.ai.ml._utils import _experimental

    _experimental._should_skip_warning = lambda: True


def _loader(kind: str):
    from azure.ai.ml import (
        load_batch_deployment,
        load_batch_endpoint,
        load_component,
        load_data,
        load_environment,
        load_job,
        load_model,
        load_online_deployment,
        load_online_endpoint,
    )
    from azure.ai.ml.entities._load_functions import load_model_batch_deployment

    def batch_deployment(source: Path, params_override: list[dict[str, Any]]):
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        load = load_model_batch_deployment if data.get("type") == "model" else load_batch_deployment
        return load(source=source, params_override=params_override)

    return {
        "job": load_job,
        "component": load_component,
        "data": load_data,
        "model": load_model,
        "environment": load_environment,
        "online_endpoint": load_online_endpoint,
        "online_deployment": load_online_deployment,
        "batch_endpoint": load_batch_endpoint,
        "batch_deployment": batch_deployment,
    }[kind]


def _schema_problems(path: Path, error: Exception, document: YamlDocument) -> list[Problem]:
    match = _ERRORS_JSON.search(str(error))
    if not match:
        return _field_problems(path, str(error), document)
    problems = []
    for item in json.loads(match.group(0)).get("errors", []):
        field = item.get("path") or "file"
        location = _LOCATION_LINE.search(item.get("location", ""))
        line = int(location.group(1)) if location else document.line(field)
        problems.append(Problem(str(path), line, field, _plain(item.get("message", ""))))
    return problems


def _field_problems(path: Path, text: str, document: YamlDocument) -> list[Problem]:
    """Problems from the `{field: [messages]}` form of azure-ai-ml's schema errors.

    Data, endpoint and deployment loaders report this form rather than the `result` JSON.
    """
    match = _FIELD_ERRORS_JSON.search(text)
    try:
        errors = json.loads(match.group(1)) if match else None
    except json.JSONDecodeError:
        errors = None
    if not isinstance(errors, dict):
        return [Problem(str(path), None, "file", _first_line(text))]
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
        return [(prefix or "file", _plain("; ".join(errors)))]
    if isinstance(errors, list):
        return [pair for item in errors for pair in _flatten(item, prefix)]
    return [(prefix or "file", _plain(str(errors)))]


def _exception_problem(path: Path, error: Exception, document: YamlDocument) -> Problem:
    text = str(error)
    missing = _MISSING_FILE.search(text)
    field = _field_naming(path, document.data, Path(missing.group(1))) if missing else None
    if field:
        value = _value_at(document.data, field)
        return Problem(
            str(path),
            document.line(field),
            field,
            f"{value} does not exist (looked for {display_path(Path(missing.group(1)))})",
            "give a path relative to this file",
        )
    line = _YAML_LINE.search(text)
    return Problem(str(path), int(line.group(1)) if line else None, "file", _first_line(text))


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


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def _plain(message: str) -> str:
    """azure-ai-ml's union-field messages are dict reprs; keep only the sentences in them."""
    sentences = re.findall(r"\[\"(.+?)\"\]|\['(.+?)'\]", message)
    if not sentences or not message.startswith("{"):
        return message
    return "; ".join(dict.fromkeys(a or b for a, b in sentences))
