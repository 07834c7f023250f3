"""Reuse as Azure ML does it: a deterministic node whose code, environment, command and input
contents are unchanged takes the outputs of the run that produced them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops import atomic
from mlops.home import mlops_home


def _entry_path(key: str) -> Path:
    return mlops_home() / "reuse" / f"{key}.json"


def lookup(key: str) -> dict[str, Any] | None:
    """The earlier run with this key, when every output it produced still exists."""
    path = _entry_path(key)
    if not path.is_file():
        return None
    try:
        entry = atomic.read_json(path)
    except (OSError, ValueError):
        return None
    if all(Path(output).exists() for output in entry.get("outputs", {}).values()):
        return entry
    return None


def remember(key: str, entry: dict[str, Any]) -> None:
    """Record a completed node's outputs under its key (job, node, outputs, hashes, run id)."""
    atomic.write_json(_entry_path(key), entry)
