"""The commands docs/cli/job.md shows run as shown, against the tool's own two-node training
pipeline (tests/mlops/fixture_project/pipelines/train.yml: train_model -> register_model)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import documented_commands, project_copy

from mlops.cli import main

DOCS = Path(__file__).resolve().parents[3] / "docs"

pytestmark = pytest.mark.slow


def test_every_command_in_the_job_reference_runs(
    mlops_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_copy(tmp_path))
    commands = documented_commands(DOCS / "cli" / "job.md")
    assert len(commands) >= 8
    runner = CliRunner()
    for command in commands:
        arguments = shlex.split(command)[1:]
        if "--download-path" in arguments:
            arguments[arguments.index("--download-path") + 1] = str(tmp_path / "downloads")
        result = runner.invoke(main, arguments)
        assert result.exit_code == 0, f"{command}\n{result.output}"
    assert (
        tmp_path / "downloads" / "named-outputs" / "registration" / "registration.json"
    ).is_file()
    assert (
        tmp_path / "downloads" / "artifacts" / "train_model" / "user_logs" / "std_log.txt"
    ).is_file()
