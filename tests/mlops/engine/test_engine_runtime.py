"""What a node sees (interpreter, environment variables, working folder) and the MLflow runs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import result

from mlops import tracking
from mlops.cli import main
from mlops.engine import create_job
from mlops.jobstore import output_path

pytestmark = pytest.mark.slow


def test_nodes_see_azure_variables_and_log_into_their_own_child_run(pipelines: Path) -> None:
    record = create_job(pipelines / "diamond.yml", set_values=["inputs.branch_seconds=0"])

    join = result(record, "join")
    run_id = record["jobs"]["join"]["mlflow_run_id"]
    assert join["environment"] == {
        "MLFLOW_RUN_ID": run_id,
        "MLFLOW_EXPERIMENT_NAME": "engine_tests",
        "AZUREML_RUN_ID": f"{record['name']}_join",
        "AZUREML_ROOT_RUN_ID": record["name"],
    }
    assert join["python"] == os.path.realpath(sys.executable)

    client = tracking.client()
    parent = client.get_run(record["properties"]["mlflow.runId"])
    assert parent.info.status == "FINISHED"
    assert parent.info.run_name == record["name"]
    child = client.get_run(run_id)
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert child.data.metrics == {"answer": 42.0}
    assert record["jobs"]["join"]["metrics"] == {"answer": 42.0}
    children = client.search_runs(
        [parent.info.experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert sorted(run.info.run_name for run in children) == ["join", "left", "right", "start"]


def test_cli_create_show_list_and_download(pipelines: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(
        main,
        [
            "job",
            "create",
            "-f",
            str(pipelines / "optional.yml"),
            "--set",
            "inputs.text=hi",
            "tags.team=ml",
            "-n",
            "cli_job",
        ],
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["tags"] == {"team": "ml"}
    assert "Job cli_job: Completed" in created.stderr

    shown = runner.invoke(
        main, ["job", "show", "-n", "cli_job", "--query", "jobs.echo.status", "-o", "tsv"]
    )
    assert shown.stdout.strip() == "Completed"
    listed = runner.invoke(main, ["job", "list", "--query", "[].name"])
    assert json.loads(listed.stdout) == ["cli_job"]

    downloaded = runner.invoke(
        main,
        ["job", "download", "-n", "cli_job", "--output-name", "echoed", "-p", str(tmp_path / "dl")],
    )
    assert downloaded.exit_code == 0, downloaded.output
    copy = tmp_path / "dl" / "named-outputs" / "echoed" / "out"
    assert copy.read_text() == output_path("cli_job", "echoed").read_text()


def test_cli_reports_a_bad_file_and_a_failed_job_with_exit_codes(pipelines: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["job", "create", "-f", str(pipelines / "nope.yml")])
    assert missing.exit_code == 1
    assert "nope.yml: file: does not exist" in missing.stderr
    assert "Traceback" not in missing.output

    failed = runner.invoke(main, ["job", "create", "-f", str(pipelines / "failing.yml")])
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["status"] == "Failed"
    assert "step a_fails fails on purpose" in failed.stderr

    unknown = runner.invoke(main, ["job", "show", "-n", "no_such_job"])
    assert unknown.exit_code == 1
    assert "job 'no_such_job' does not exist" in unknown.stderr
