"""A check that is only a lint -- an input or output name a node's component does not declare,
which azure-ai-ml's own validation accepts and drops before submitting -- is a warning: printed
by `mlops validate` without failing it, and logged by `job create` without stopping the job."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.azure.loaders import entity_errors, load_entity
from mlops.cli import main
from mlops.validation import plan_job

REPO_ROOT = Path(__file__).resolve().parents[3]
BROKEN = Path("tests/mlops/validation/broken")
UNKNOWN_INPUT = BROKEN / "pipeline_unknown_input.yml"


def test_azure_ai_ml_accepts_an_unknown_input_and_drops_it():
    job = load_entity(REPO_ROOT / UNKNOWN_INPUT, "job")
    assert entity_errors(job) == {}
    assert "alpah" not in job.jobs["train"].inputs
    assert "alpah" not in str(job._to_rest_object().as_dict())


def test_validate_prints_the_warning_and_passes(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO_ROOT)
    result = CliRunner().invoke(main, ["validate", str(UNKNOWN_INPUT)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{UNKNOWN_INPUT}:19: jobs.train.inputs.alpah: warning: unknown input 'alpah': the "
        "component declares alpha, data, mode, note_file; Azure ML drops it and runs the node "
        "without it "
        "Fix: remove it or use one of the declared names"
    ]
    assert "1 file valid (1 warning)." in result.stderr


def test_a_warning_beside_a_problem_still_fails(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO_ROOT)
    files = [str(UNKNOWN_INPUT), str(BROKEN / "pipeline_literal_enum.yml")]
    result = CliRunner().invoke(main, ["validate", *files])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2
    assert "1 problem (1 warning) in 2 files." in result.stderr


def test_job_create_plans_the_job_and_logs_the_warning(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="mlops.validation"):
        plan = plan_job(REPO_ROOT / UNKNOWN_INPUT)
    assert sorted(plan.nodes) == ["train"]
    assert any("warning: unknown input 'alpah'" in record.message for record in caplog.records)
