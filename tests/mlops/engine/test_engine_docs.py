"""The commands docs/cli/job.md shows run as shown, against the sample pipeline."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.cli import main

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def _commands(page: Path) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("mlops ")]


def test_every_command_in_the_job_reference_runs(
    mlops_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    commands = _commands(REPO / "docs" / "cli" / "job.md")
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
