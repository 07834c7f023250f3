"""Helpers for the fault-injection tests: run `mlops` as a user would and read its answer
(in-process: the `cli` fixture of tool_fixtures.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tool_fixtures import cli, model_folder, one_line  # noqa: F401 (cli and model_folder: fixtures)


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
