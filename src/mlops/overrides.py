"""az's generic-update arguments, `--set`, `--add` and `--remove`, as azure-ai-ml's params_override.

az ml passes `--set` to azure-ai-ml's loaders as `params_override`, a list of `{dotted.path:
value}` dicts applied to the YAML document before its schema reads it. `--add` and `--remove`
(az's generic update, on update verbs) become the same: the list or mapping they change,
written whole at its path. Paths take az's forms: `a.b.c`, `a.0.b` or `a[0].b`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops.documents import read_document
from mlops.errors import ProblemsFound, UsageError

_INDEX = re.compile(r"\[(-?\d+)\]")


@dataclass(frozen=True)
class Overrides:
    """The generic-update arguments of one command, in az's order of application.

    Attributes:
        set: `path=value` items.
        add: `(path, value, ...)` items: append the value (JSON, `key=value` pairs or a string).
        remove: `(path,)` or `(path, index)` items.
        force_string: Keep every value a string, never parsed as JSON (az's `--force-string`).
    """

    set: tuple[str, ...] = ()
    add: tuple[tuple[str, ...], ...] = ()
    remove: tuple[tuple[str, ...], ...] = ()
    force_string: bool = False


NO_OVERRIDES = Overrides()


def for_file(path: Path, overrides: Overrides) -> list[dict[str, Any]]:
    """`params_override` for the YAML file at `path` (a file that cannot be read: applied to
    nothing, so its loader reports it as it would without overrides)."""
    if not (overrides.set or overrides.add or overrides.remove):
        return []
    try:
        data = read_document(Path(path)).data
    except ProblemsFound:
        data = {}
    return params_override(overrides, data)


def params_override(overrides: Overrides, data: Any) -> list[dict[str, Any]]:
    """The `params_override` list that applies `overrides` to a YAML document.

    Args:
        overrides: The command's `--set`, `--add` and `--remove` items.
        data: The YAML document as read (never changed here).

    Returns:
        `[{dotted.path: value}, ...]`, in the order `--set`, `--add`, `--remove`.

    Raises:
        UsageError: An item is malformed or its path crosses or names something that is not
            there; the message names the flag and the path. Nothing has run.
    """
    return _applied(overrides, data)[1]


def edited(overrides: Overrides, data: Any) -> Any:
    """A copy of the YAML document `data` with `overrides` applied, as azure-ai-ml applies
    their params_override (for a copy of the file kept as registered).

    Raises:
        UsageError: As `params_override`.
    """
    if not (overrides.set or overrides.add or overrides.remove):
        return data
    return _applied(overrides, data)[0]


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level fields whose value differs between a document and its edited copy
    (`edited`), added and removed ones included, sorted: what an update verb checks against
    the fields it may change."""
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def with_params(data: Any, params: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of the YAML document `data` with a `params_override` list applied, as
    azure-ai-ml applies it (a top-level None, from `--remove`, takes the field out)."""
    document = copy.deepcopy(data) if isinstance(data, dict) else {}
    for override in params:
        for key, value in override.items():
            if value is None and "." not in key:
                document.pop(key, None)
            else:
                _put(document, _tokens("--set", key), value)
    return document


def _applied(overrides: Overrides, data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    document = copy.deepcopy(data) if isinstance(data, dict) else {}
    result: list[dict[str, Any]] = []
    for item in overrides.set:
        key, separator, raw = item.partition("=")
        if not separator or not key.strip():
            raise UsageError(
                f"--set {item!r} is not path=value: write it as az does, e.g. "
                "--set inputs.alpha=0.3 tags.build_id=42"
            )
        tokens = _tokens("--set", key.strip())
        parent = _container(document, tokens[:-1], "--set", key.strip(), create=True)
        if parent is not None and not isinstance(parent, (dict, list)):
            raise UsageError(
                f"--set {key.strip()}: {'.'.join(tokens[:-1])} is {_what(parent)}, "
                "not a mapping or list."
            )
        value = _value(raw, overrides.force_string)
        _put(document, tokens, value)
        result.append({".".join(tokens): value})
    for item in overrides.add:
        result.append(_add(document, item, overrides.force_string))
    for item in overrides.remove:
        result.append(_remove(document, item))
    return document, result


def _add(document: dict[str, Any], item: tuple[str, ...], force_string: bool) -> dict[str, Any]:
    if len(item) < 2 or not item[0]:
        raise UsageError(f"--add {' '.join(item)}: give a list's path, then the value to add.")
    path, values = item[0], item[1:]
    tokens = _tokens("--add", path)
    target = _container(document, tokens, "--add", path, create=False)
    if not isinstance(target, list):
        raise UsageError(f"--add {path}: {path} is {_what(target)}, not a list.")
    if len(values) == 1 and "=" not in values[0]:
        value = _value(values[0], force_string)
    elif all("=" in value for value in values):
        value = {
            key: _value(raw, force_string)
            for key, _, raw in (value.partition("=") for value in values)
        }
    else:
        raise UsageError(f"--add {path}: give one value, or key=value pairs.")
    updated = [*target, value]
    _put(document, tokens, updated)
    return {".".join(tokens): updated}


def _remove(document: dict[str, Any], item: tuple[str, ...]) -> dict[str, Any]:
    if not 1 <= len(item) <= 2 or not item[0]:
        raise UsageError(f"--remove {' '.join(item)}: give a path, and an index for a list.")
    path = item[0]
    tokens = _tokens("--remove", path)
    if len(item) == 2:
        target = _container(document, tokens, "--remove", path, create=False)
        if not isinstance(target, list):
            raise UsageError(f"--remove {path} {item[1]}: {path} is {_what(target)}, not a list.")
        index = _index("--remove", path, item[1], target)
        updated = target[:index] + target[index + 1 :]
        _put(document, tokens, updated)
        return {".".join(tokens): updated}
    parent = _container(document, tokens[:-1], "--remove", path, create=False)
    _container(document, tokens, "--remove", path, create=False)
    if isinstance(parent, list):
        updated_list = list(parent)
        del updated_list[int(tokens[-1])]
        updated: Any = updated_list
    else:
        updated = {key: value for key, value in parent.items() if key != tokens[-1]}
    if len(tokens) == 1:
        # The document itself cannot be written whole through params_override: a top-level
        # field is set to null, which azure-ai-ml treats as not given.
        document.pop(tokens[0])
        return {tokens[0]: None}
    _put(document, tokens[:-1], updated)
    return {".".join(tokens[:-1]): updated}


def _tokens(flag: str, path: str) -> list[str]:
    tokens = _INDEX.sub(r".\1", path).split(".")
    if any(not token for token in tokens):
        raise UsageError(f"{flag} {path}: not a path; write it as a.b.c or a.0.b.")
    return tokens


def _container(document: Any, tokens: list[str], flag: str, path: str, create: bool) -> Any:
    """What `tokens` name in `document`; with `create`, missing mappings are fine (None)."""
    current = document
    for depth, token in enumerate(tokens):
        where = ".".join(tokens[: depth + 1])
        if isinstance(current, dict):
            if token not in current:
                if create:
                    return None
                names = ", ".join(sorted(map(str, current))) or "nothing"
                raise UsageError(f"{flag} {path}: there is no {where} (found: {names}).")
            current = current[token]
        elif isinstance(current, list):
            current = current[_index(flag, path, token, current)]
        elif current is None and create:
            return None
        else:
            above = ".".join(tokens[:depth]) or "the document"
            raise UsageError(f"{flag} {path}: {above} is {_what(current)}, not a mapping or list.")
    return current


def _index(flag: str, path: str, token: str, items: list[Any]) -> int:
    try:
        index = int(token)
    except ValueError:
        raise UsageError(f"{flag} {path}: {token!r} is not an index of a list.") from None
    if not -len(items) <= index < len(items):
        raise UsageError(
            f"{flag} {path}: index {index} is out of range (the list has {len(items)})."
        )
    return index % len(items)


def _put(document: dict[str, Any], tokens: list[str], value: Any) -> None:
    """Set `value` at `tokens`, making the mappings on the way, as pydash's set_ does."""
    current: Any = document
    for token in tokens[:-1]:
        if isinstance(current, list):
            current = current[int(token)]
            continue
        if not isinstance(current.get(token), (dict, list)):
            current[token] = {}
        current = current[token]
    if isinstance(current, list):
        current[int(tokens[-1])] = value
    else:
        current[tokens[-1]] = value


def _value(raw: str, force_string: bool) -> Any:
    """A JSON object or list when `raw` is one; otherwise the string as typed.

    Scalars stay strings, as az ml hands them to azure-ai-ml, which converts each by its
    field's type (`0.3` for a number input, `true` for a boolean); a tag `42` stays "42".
    """
    if force_string:
        return raw
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw
    return parsed if isinstance(parsed, (dict, list)) else raw


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {json.dumps(value, default=str)[:40]}"
