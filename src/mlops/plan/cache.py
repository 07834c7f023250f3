"""The plan cache: a plan made once is kept, keyed by what it was made from, so a rerun whose
YAML did not change starts without importing azure-ai-ml (2-3 s). Endpoint and deployment
definitions (plan/endpoints.py) are kept the same way, as values (`load_value`, `store_value`).

An entry lives under `<mlops home>/plans/<key>.json`. The key covers the job file's path and
content, the `--set` overrides, and the versions of azure-ai-ml, Python and this project's own
code. The entry lists every other file the plan was made from (component YAMLs, conda files: any
YAML or conda file a YAML names, followed from file to file) with its content hash, and every
registered component with the stored file it resolved to; it is used only while all of them are
unchanged.
Registered data, models and environments are not in the plan: the engine resolves them at each
run, so a new `@latest` version is always seen.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import yaml

from mlops import atomic
from mlops.home import mlops_home
from mlops.plan.model import Plan
from mlops.plan.serial import plan_from_json, plan_to_json

logger = logging.getLogger(__name__)

# Bumped when the plan's JSON form changes.
FORMAT = 1
_YAML_SUFFIXES = {".yml", ".yaml"}
_MAX_BYTES = 4 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parents[1]

# Resolves a registered component reference to its stored YAML (raises when it cannot).
Resolver = Callable[[str], Path]
T = TypeVar("T")


def cache_key(path: Path, overrides: list[dict[str, Any]], kind: str = "job") -> str:
    """The key of what a file makes (a job's plan, or the definition of another `kind`): its
    path and content, the overrides and the versions."""
    material = {
        "format": FORMAT,
        "kind": kind,
        "file": str(path.absolute()),
        "content": file_hash(path),
        "overrides": overrides,
        "versions": versions(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def versions() -> dict[str, str]:
    """azure-ai-ml's version, Python's, and a fingerprint of this project's code.

    The fingerprint (names, sizes and modification times of `mlops`' own modules) changes with
    any edit of the tool, so a plan is never read by code other than the code that wrote it.
    """
    try:
        azure = metadata.version("azure-ai-ml")
    except metadata.PackageNotFoundError:
        azure = "none"
    digest = hashlib.sha256()
    for module in sorted(_PACKAGE.rglob("*.py")):
        stat = module.stat()
        digest.update(
            f"{module.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode()
        )
    return {
        "azure-ai-ml": azure,
        "python": ".".join(map(str, sys.version_info[:3])),
        "mlops": digest.hexdigest(),
    }


def file_hash(path: Path) -> str | None:
    """The SHA-256 of a file's content; None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def load(key: str, resolve: Resolver) -> Plan | None:
    """The cached plan for `key`, if every file and registered component it was made from is
    unchanged; None otherwise (or when the entry is damaged)."""
    return _load(key, "plan", plan_from_json, resolve)


def load_value(key: str, read: Callable[[Any], T]) -> T | None:
    """The cached value for `key` (turned back from JSON by `read`), if every file it was made
    from is unchanged; None otherwise (or when the entry is damaged)."""
    return _load(key, "value", read, None)


def _load(key: str, field: str, read: Callable[[Any], T], resolve: Resolver | None) -> T | None:
    entry_path = _entry(key)
    try:
        entry = atomic.read_json(entry_path)
    except (OSError, ValueError):
        return None
    try:
        for file, digest in entry["files"].items():
            if file_hash(Path(file)) != digest:
                return None
        for reference, (stored, digest) in entry["registered"].items():
            if resolve is None:
                return None
            try:
                if str(resolve(reference)) != stored or file_hash(Path(stored)) != digest:
                    return None
            except Exception:  # the reference no longer resolves: plan again, and report it
                return None
        return read(entry[field])
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        logger.info("Ignoring a damaged plan cache entry %s: %s", entry_path, error)
        return None


def store(
    key: str,
    plan: Plan,
    job_file: Path,
    overrides: list[dict[str, Any]],
    before: dict[str, str | None],
) -> None:
    """Keep `plan` under `key`, with the files it was made from (found from `job_file`, the
    YAMLs its overrides name and the registered components' stored YAMLs); not when the job's
    own files differ from `before` (`inputs` taken before planning: one changed meanwhile)."""
    files = _unchanged_inputs(job_file, overrides, before)
    if files is None:
        return
    registered = {ref: Path(stored) for ref, stored in plan.registered_components.items()}
    files.update((str(file), file_hash(file)) for file in referenced_files(registered.values()))
    entry = {
        "files": files,
        "registered": {
            reference: [str(stored), file_hash(stored)] for reference, stored in registered.items()
        },
        "plan": plan_to_json(plan),
    }
    _write(key, entry)


def inputs(file: Path, overrides: list[dict[str, Any]]) -> dict[str, str | None]:
    """The files a value made from `file` and `overrides` depends on (`file` and every YAML or
    conda file it or an override names), with their content hashes: taken before the value is
    made, for `store` and `store_value`."""
    roots = [file, *_named(file, overrides)]
    return {str(path): file_hash(path) for path in referenced_files(roots)}


def store_value(
    key: str,
    value: Any,
    file: Path,
    overrides: list[dict[str, Any]],
    before: dict[str, str | None],
) -> None:
    """Keep `value` (JSON data) under `key`, with the files it was made from (`file` and every
    YAML it or an override names, as `--set environment.conda_file=conda.yml`); not when they
    differ from `before` (`inputs` taken before the value was made: one changed meanwhile)."""
    files = _unchanged_inputs(file, overrides, before)
    if files is not None:
        _write(key, {"files": files, "registered": {}, "value": value})


def _unchanged_inputs(
    file: Path, overrides: list[dict[str, Any]], before: dict[str, str | None]
) -> dict[str, str | None] | None:
    """`inputs` now, when they are still `before`; None (and a log line) when a file changed
    while the plan or value was made from them, which is then not kept."""
    files = inputs(file, overrides)
    if files != before:
        logger.info("Not caching %s: a file it was made from changed while it loaded", file)
        return None
    return files


def _write(key: str, entry: dict[str, Any]) -> None:
    try:
        # Not atomic.write_json: its sorted keys would reorder the nodes (the run's order) and
        # its `default=str` would turn a value JSON cannot hold into a different one.
        atomic.write_text(_entry(key), json.dumps(entry))
    except (OSError, TypeError, ValueError) as error:
        # A plan that cannot be kept (a disk error, a value JSON cannot hold) only costs the
        # next run its load time.
        logger.info("Could not write the plan cache: %s", error)


def _named(source: Path, data: Any) -> list[Path]:
    """The YAML files `data`'s strings name, relative to `source`'s folder (as azure-ai-ml
    reads an override)."""
    return [file for folder in _folders(source) for file in _yaml_files(folder, data)]


def _folders(file: Path) -> list[Path]:
    """Where a file's relative paths may point from: its folder as named (azure-ai-ml reads a
    linked YAML's paths from the link's folder) and its real folder."""
    return list(dict.fromkeys([file.absolute().parent, file.resolve().parent]))


def _yaml_files(folder: Path, data: Any) -> list[Path]:
    """The files `data` names relative to `folder`: YAMLs, and conda files whatever their
    suffix (azure-ai-ml reads `conda_file: conda.txt` as YAML)."""
    named = []
    conda = set(_conda_files(data))
    for value in _strings(data):
        text = value.removeprefix("file:")
        wanted = value in conda or Path(text).suffix.lower() in _YAML_SUFFIXES
        if wanted and (folder / text).is_file():
            named.append((folder / text).absolute())
    return named


def referenced_files(roots: Iterable[Path]) -> list[Path]:
    """The YAML files and every YAML file they name (relative to their folder), transitively.

    Generous on purpose: a YAML named anywhere (a component, a conda file, an environment)
    may change the plan; reading one too many only costs a hash.
    """
    found: dict[Path, None] = {}
    pending = [Path(root).absolute() for root in roots]
    while pending:
        file = pending.pop()
        real = file.resolve()
        if real in found:
            continue
        found[real] = None
        data = _read(real)
        named = [path for folder in _folders(file) for path in _yaml_files(folder, data)]
        pending.extend(candidate for candidate in named if candidate.resolve() not in found)
    return list(found)


def _read(file: Path) -> Any:
    try:
        if file.stat().st_size > _MAX_BYTES:
            return None
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(file.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _conda_files(data: Any) -> Iterable[str]:
    """The strings under a `conda_file` key (`environment.conda_file` in an override)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).split(".")[-1] == "conda_file" and isinstance(value, str):
                yield value
            else:
                yield from _conda_files(value)
    elif isinstance(data, list):
        for value in data:
            yield from _conda_files(value)


def _entry(key: str) -> Path:
    return mlops_home() / "plans" / f"{key}.json"
