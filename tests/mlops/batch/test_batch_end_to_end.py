"""Batch scoring through the engine: a parallel pipeline and a batch endpoint of the tool's tiny
project, against its registered model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tool_fixtures import BATCH, BATCH_ENDPOINT, MODEL, PROJECT

from mlops.cli import main

pytestmark = pytest.mark.slow

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


def test_batch_pipeline_scores_every_row_once_in_input_order(trained_store: Path) -> None:
    from mlops.engine import create_job
    from mlops.jobstore import output_path

    job = create_job(PROJECT / "pipelines" / "batch_score.yml")

    assert job["status"] == "Completed", job
    assert job["jobs"]["score_batch"]["type"] == "parallel"
    predictions = output_path(job["name"], "results")
    dated = list(predictions.iterdir())
    assert len(dated) == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{6}", dated[0].name)
    lines = (dated[0] / "predictions.txt").read_text().splitlines()
    assert len(lines) == ROWS
    assert len({tuple(line.split()[:2]) for line in lines}) == ROWS
    assert lines == expected_lines()


def run_cli(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def ok(*args: str):
    result = run_cli(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_batch_endpoint_invoke_runs_the_deployment_as_a_job(trained_store: Path) -> None:
    endpoint = BATCH_ENDPOINT
    created = ok("batch-endpoint", "create", "-f", str(BATCH / "endpoint.yml"))
    assert (created["name"], created["defaults"]["deployment_name"]) == (endpoint, None)
    deployment = BATCH / "deployment.yml"

    no_default = run_cli("batch-endpoint", "invoke", "-n", endpoint, "--input", str(SCORING_DATA))
    assert no_default.exit_code == 1
    assert "has no default deployment" in no_default.stderr
    assert "Traceback" not in no_default.output

    shown = ok("batch-deployment", "create", "-f", str(deployment), "--set-default")
    assert shown["model"] == f"azureml:{MODEL}:1"
    assert shown["settings"]["output_file_name"] == "predictions.csv"
    assert ok("batch-endpoint", "show", "-n", endpoint, "--query", "defaults.deployment_name") == (
        "blue"
    )
    assert ok("batch-deployment", "list", "-e", endpoint, "--query", "[].name") == ["blue"]

    job = ok("batch-endpoint", "invoke", "-n", endpoint, "--input", str(SCORING_DATA))
    assert job["status"] == "Completed"
    assert job["tags"]["azureml.batchDeployment"] == "blue"
    score = Path(job["outputs"]["score"]["path"])
    assert (score / "predictions.csv").read_text().splitlines() == expected_lines()

    refused = run_cli("batch-deployment", "delete", "-n", "blue", "-e", endpoint, input="n\n")
    assert refused.exit_code == 1
    assert ok("batch-deployment", "show", "-n", "blue", "-e", endpoint)["name"] == "blue"
    ok("batch-endpoint", "delete", "-n", endpoint, "--yes")
    gone = run_cli("batch-endpoint", "show", "-n", endpoint)
    assert gone.exit_code == 1
    assert "does not exist" in gone.stderr


def test_a_deployment_whose_scoring_script_is_missing_is_refused(
    trained_store: Path, tmp_path: Path
) -> None:
    ok("batch-endpoint", "create", "-n", "missing-script")
    text = (BATCH / "deployment.yml").read_text()
    broken = tmp_path / "deployment.yml"
    broken.write_text(
        text.replace("score_batch.py", "nothing.py").replace("../../src", str(PROJECT / "src"))
    )
    result = run_cli("batch-deployment", "create", "-f", str(broken), "-e", "missing-script")
    assert result.exit_code == 1
    assert "scoring_script tiny/nothing.py is not in" in result.stderr
    assert ok("batch-deployment", "list", "-e", "missing-script") == []
