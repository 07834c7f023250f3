"""A batch endpoint of the tool's tiny project: its default deployment, its refusals and its
deletion. The scoring runs themselves (the parallel pipeline, an invocation) and their results are
checked where the docs run them, in test_batch_docs.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import BATCH, BATCH_ENDPOINT, MODEL, PROJECT

from mlops.cli import main

pytestmark = pytest.mark.slow

SCORING_DATA = PROJECT / "data" / "scoring"


def run_cli(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def ok(*args: str):
    result = run_cli(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_batch_endpoint_needs_a_default_deployment_and_deletes_only_when_asked(
    trained_store: Path,
) -> None:
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
