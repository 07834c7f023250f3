"""The batch commands the docs show run as shown, in the order the guide gives them."""

from __future__ import annotations

import filecmp
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.cli import main

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]


def commands(page: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / page).read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("mlops ")]


def test_the_guide_and_reference_commands_run(
    trained_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    guide = commands("docs/batch_scoring.md")
    assert any("pipelines/batch_score.yml" in command for command in guide)
    # The deployment page ends by deleting blue; the endpoint page needs it back.
    sequence = [
        *guide,
        *commands("docs/cli/batch-deployment.md"),
        "mlops batch-deployment create -f endpoints/batch/deployment.yml",
        *commands("docs/cli/batch-endpoint.md"),
    ]
    runner = CliRunner()
    for command in sequence:
        result = runner.invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}{result.stderr}"
        if "--query" in command and "status" in command:
            assert '"status": "Completed"' in result.stdout, command
    assert runner.invoke(main, ["batch-endpoint", "list"]).stdout.strip() == "[]"


def test_the_documented_data_command_writes_the_committed_scoring_data(tmp_path: Path) -> None:
    guide = (REPO / "docs" / "batch_scoring.md").read_text()
    assert ".venv/bin/python -m diabetes_regression.make_scoring_data" in guide
    subprocess.run(
        [sys.executable, "-m", "diabetes_regression.make_scoring_data", "--output", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    committed = REPO / "data" / "diabetes_scoring"
    names = sorted(path.name for path in committed.glob("*.csv"))
    assert names == sorted(path.name for path in tmp_path.glob("*.csv"))
    matched, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, names, shallow=False)
    assert (matched, mismatch, errors) == (names, [], [])
    header = (committed / names[0]).read_text().splitlines()[0]
    assert header == "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6"
