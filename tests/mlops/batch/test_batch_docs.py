"""The batch commands the docs show run as shown, in the order the guide gives them: on the
tool's own tiny project, which keeps the sample's paths (pipelines/, endpoints/batch/, data/)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import PROJECT, documented_commands

from mlops.cli import main

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_guide_and_reference_commands_run(
    trained_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    guide = documented_commands(DOCS / "batch_scoring.md")
    assert any("pipelines/batch_score.yml" in command for command in guide)
    # The deployment page ends by deleting blue; the endpoint page needs it back.
    sequence = [
        *guide,
        *documented_commands(DOCS / "cli" / "batch-deployment.md"),
        "mlops batch-deployment create -f endpoints/batch/deployment.yml",
        *documented_commands(DOCS / "cli" / "batch-endpoint.md"),
    ]
    runner = CliRunner()
    for command in sequence:
        result = runner.invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}{result.stderr}"
        if "--query" in command and "status" in command:
            assert '"status": "Completed"' in result.stdout, command
    assert runner.invoke(main, ["batch-endpoint", "list"]).stdout.strip() == "[]"
