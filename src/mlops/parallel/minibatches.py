"""Splitting a folder of files into mini-batches, as a parallel job does for a uri_folder input,
and the mini-batch the driver hands a worker (files or, see `tables`, a table's rows)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError


@dataclass(frozen=True)
class MiniBatch:
    """What a worker gets (a list of file paths, or a table's rows) and how many items it holds
    (files or rows: what error_threshold counts)."""

    payload: Any
    items: int


def input_files(location: Path) -> list[str]:
    """Every file under `location` (or the file itself), by relative path, as absolute paths.

    Raises:
        MlopsError: The location does not exist or holds no file.
    """
    if location.is_file():
        return [str(location)]
    if not location.is_dir():
        raise MlopsError(f"input_data {location} does not exist. Fix: bind an existing folder.")
    files = sorted(
        (path for path in location.rglob("*") if path.is_file()),
        key=lambda path: path.relative_to(location).as_posix(),
    )
    if not files:
        raise MlopsError(f"input_data {location} holds no file: there is nothing to score.")
    return [str(path) for path in files]


def split(items: list[str], size: int) -> list[list[str]]:
    """Consecutive mini-batches of `size` items (the last one may be shorter)."""
    return [items[start : start + size] for start in range(0, len(items), size)]
