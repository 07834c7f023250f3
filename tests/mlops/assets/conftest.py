"""Helpers for the asset store tests: run `mlops` in-process and parse its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mlops.cli import main


class Cli:
    """Runs `mlops ...` in-process; `ok` parses stdout as JSON, `fails` returns stderr."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def run(self, *args: str):
        return self.runner.invoke(main, list(args))

    def ok(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.exit_code == 0, result.output + result.stderr
        if not result.stdout.strip():
            return None
        try:
            return json.loads(result.stdout)
        except ValueError:
            pytest.fail(f"stdout is not JSON: {result.stdout!r}")

    def fails(self, *args: str, code: int = 1) -> str:
        result = self.run(*args)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.stderr


@pytest.fixture
def cli() -> Cli:
    return Cli()


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
