"""Atomic file writes: readers see the old content or the new, never half of either."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename.

    Args:
        path: The destination; its folder is created when missing.
        text: The full new content.
        mode: Permission bits for the new file (for example 0o600 for secrets).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any, *, mode: int | None = None) -> None:
    """Write `data` as indented JSON to `path` atomically (see `write_text`)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", mode=mode)


def read_json(path: Path) -> Any:
    """Read a JSON file written by `write_json`."""
    return json.loads(path.read_text(encoding="utf-8"))
