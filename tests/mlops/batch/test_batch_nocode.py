"""A no-code MLflow batch deployment: an MLflow model with no code_configuration, scored by the
driver Azure ML generates for it (one `predict` per file, the model's signature typing the
columns, `row,prediction,file` lines in predictions.csv)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tool_fixtures import BATCH, MODEL, PROJECT

from mlops.cli import main

pytestmark = pytest.mark.slow

ENDPOINT = "nocode-batch"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "batch_scoring.md"


def documented_deployment() -> str:
    """The no-code deployment YAML that batch_scoring.md shows, with this project's names."""
    section = DOCS.read_text().split("## MLflow models with no scoring script")[1]
    text = re.search(r"```yaml\n(.*?)```", section, flags=re.S).group(1)
    return text.replace("my-batch-endpoint", ENDPOINT).replace("my_model@latest", f"{MODEL}:1")


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


def ok(*args: str):
    result = run_cli(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


@pytest.fixture
def deployed(trained_store: Path, tmp_path: Path) -> Path:
    """The endpoint with the no-code deployment as its default."""
    ok("batch-endpoint", "create", "-f", str(BATCH / "endpoint.yml"), "-n", ENDPOINT)
    (tmp_path / "deployment.yml").write_text(documented_deployment())
    file = str(tmp_path / "deployment.yml")
    shown = ok(
        "batch-deployment",
        "create",
        "-f",
        file,
        "--set-default",
        "--set",
        "settings.error_threshold=0",
    )
    assert shown["code_configuration"] is None
    assert shown["model"] == f"azureml:{MODEL}:1"
    assert shown["settings"]["error_threshold"] == 0
    return tmp_path


def test_each_row_of_each_file_gets_its_prediction_as_azure_writes_it(deployed: Path) -> None:
    import mlflow.pyfunc

    from mlops.assets import resolve_model

    model = mlflow.pyfunc.load_model(str(resolve_model(f"azureml:{MODEL}:1").path))
    scoring = PROJECT / "data" / "scoring"
    job = ok("batch-endpoint", "invoke", "-n", ENDPOINT, "--input", str(scoring))

    assert job["status"] == "Completed", job
    output = Path(job["outputs"]["score"]["path"]) / "predictions.csv"
    scored = pd.read_csv(output, names=["row", "prediction", "file"])
    expected = [
        (row, round(float(prediction), 6), file.name)
        for file in sorted(scoring.glob("*.csv"))
        for row, prediction in enumerate(model.predict(pd.read_csv(file)))
    ]
    assert len(expected) == 6
    got = [(r.row, round(r.prediction, 6), r.file) for r in scored.itertuples(index=False)]
    assert sorted(got, key=lambda t: (t[2], t[0])) == expected


def test_a_file_the_signature_cannot_type_fails_naming_it(deployed: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "good.csv").write_text("x1,x2\n1,2\n")
    (inputs / "bad.csv").write_text("x1,x2\n1,two\n")

    result = run_cli("batch-endpoint", "invoke", "-n", ENDPOINT, "--input", str(inputs))

    assert result.exit_code == 1
    job = json.loads(result.stdout)
    assert job["status"] == "Failed"
    tail = "\n".join(job["jobs"]["batchscoring"]["log_tail"])
    assert "Error processing input file: '" in tail
    assert "bad.csv'. Exception: could not convert string to float: 'two'" in tail


def test_a_model_that_is_not_mlflow_needs_a_scoring_script(
    trained_store: Path, tmp_path: Path
) -> None:
    ok("batch-endpoint", "create", "-f", str(BATCH / "endpoint.yml"), "-n", "plain-batch")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "model.pkl").write_bytes(b"not mlflow")
    (tmp_path / "deployment.yml").write_text(
        documented_deployment()
        .replace(f"azureml:{MODEL}:1", "\n  path: plain")
        .replace(ENDPOINT, "plain-batch")
    )

    result = run_cli("batch-deployment", "create", "-f", str(tmp_path / "deployment.yml"))

    assert result.exit_code == 1
    assert "not an MLflow model" in result.stderr
    assert "Fix: add code_configuration" in result.stderr
    assert ok("batch-deployment", "list", "-e", "plain-batch") == []
