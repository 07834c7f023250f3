"""The batch commands the docs show run as shown, in the order the guide gives them: on the
tool's own tiny project, which keeps the sample's paths (pipelines/, endpoints/batch/, data/).

The guide's two scoring runs, the parallel pipeline and the endpoint's invocation, are also where
their results are checked (every row once, in input order, with the registered model's answer):
each is a batch job of several processes, which test_batch_end_to_end.py ran a second time."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tool_fixtures import MODEL, PROJECT, documented_commands

from mlops.cli import main

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[3] / "docs"
SCORING_DATA = PROJECT / "data" / "scoring"
ROWS = 6


def expected_lines() -> list[str]:
    """`<file> <row> <prediction>` for every scoring row, computed with the registered model."""
    import mlflow.pyfunc

    from mlops.assets import resolve_model

    model = mlflow.pyfunc.load_model(str(resolve_model(f"azureml:{MODEL}:1").path))
    lines = []
    for file in sorted(SCORING_DATA.glob("*.csv")):
        predictions = model.predict(pd.read_csv(file))
        lines += [f"{file.name} {row} {round(float(p), 4)}" for row, p in enumerate(predictions)]
    return lines


def check_pipeline_scored_every_row_once_in_input_order(name: str) -> None:
    """The batch pipeline job `name`: its parallel node wrote one line per row, in order."""
    from mlops.jobstore import load, output_path

    assert load(name)["jobs"]["score_batch"]["type"] == "parallel"
    dated = list(output_path(name, "results").iterdir())
    assert len(dated) == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{6}", dated[0].name)
    lines = (dated[0] / "predictions.txt").read_text().splitlines()
    assert len(lines) == ROWS
    assert len({tuple(line.split()[:2]) for line in lines}) == ROWS
    assert lines == expected_lines()


def check_invocation_ran_the_deployment(name: str) -> None:
    """The job `batch-endpoint invoke` made: blue's, with the model's answer for every row."""
    from mlops.jobstore import load

    job = load(name)
    assert job["tags"]["azureml.batchDeployment"] == "blue"
    score = Path(job["outputs"]["score"]["path"])
    assert (score / "predictions.csv").read_text().splitlines() == expected_lines()


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
    checks = {
        "mlops job create -f pipelines/batch_score.yml": (
            check_pipeline_scored_every_row_once_in_input_order
        ),
        "mlops batch-endpoint invoke": check_invocation_ran_the_deployment,
    }
    for command in sequence:
        result = runner.invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}{result.stderr}"
        if "--query" in command and "status" in command:
            assert '"status": "Completed"' in result.stdout, command
            # The first of each kind: the guide's own run.
            check = next((checks.pop(k) for k in list(checks) if command.startswith(k)), None)
            if check is not None:
                check(json.loads(result.stdout)["name"])
    assert not checks, f"the docs no longer show {list(checks)}"
    assert runner.invoke(main, ["batch-endpoint", "list"]).stdout.strip() == "[]"
