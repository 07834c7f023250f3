"""Helpers for the fault-injection tests: run `mlops` as a user would and read its answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mlops.cli import main


class Cli:
    """Runs `mlops ...` in-process; `ok` parses stdout as JSON, `fails` returns the one line."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def run(self, *args: str):
        return self.runner.invoke(main, list(args))

    def ok(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None

    def fails(self, *args: str, code: int = 1) -> str:
        """The error line of a command that must fail: one line, no traceback."""
        result = self.run(*args)
        assert result.exit_code == code, result.output + result.stderr
        return one_line(result.stderr)


def one_line(stderr: str) -> str:
    """The single `ERROR:` line of a failed command's stderr (the test fails on any other)."""
    errors = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(errors) == 1 and errors[0].startswith("ERROR: "), stderr
    return errors[0]


def mlops(*args: str, cwd: Path | None = None, check: bool = False, **kwargs: Any):
    """Run the `mlops` command in its own process, as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "mlops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=check,
        env=dict(os.environ),
        **kwargs,
    )


@pytest.fixture
def error_line():
    """`one_line(stderr)` as a fixture: the single ERROR line of a failed command."""
    return one_line


@pytest.fixture
def run_mlops():
    """`mlops(...)` as a fixture: the `mlops` command in its own process."""
    return mlops


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    """A model's files: one small weights file."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.txt").write_text("1.5 2.5\n")
    return folder
