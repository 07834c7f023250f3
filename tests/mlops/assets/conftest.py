"""Helpers for the asset store tests (`mlops` in-process: the `cli` fixture of tool_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import cli, model_folder  # noqa: F401 (fixtures)


def write_csv(folder: Path, rows: int, name: str = "data.csv") -> Path:
    """A folder with one CSV of `rows` rows (header `a,b`)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["a,b", *(f"{i},{i * 2}" for i in range(rows))]
    (folder / name).write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture
def make_csv():
    """`write_csv` as a fixture, for tests that need several versions of a folder."""
    return write_csv


@pytest.fixture
def csv_folder(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "sample", rows=3)
