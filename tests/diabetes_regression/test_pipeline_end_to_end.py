"""The training pipeline end to end under the local engine, as `make train` runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.sample_only()]

engine = pytest.importorskip("mlops.engine", reason="needs the local engine (issue 3)")

MODEL_NAME = "diabetes_regression_model"


def _registration(job: dict) -> dict:
    from mlops.jobstore import output_path

    assert job["status"] == "Completed", job
    assert {node["status"] for node in job["jobs"].values()} <= {"Completed", "Reused"}, job
    return json.loads((output_path(job["name"], "registration") / "registration.json").read_text())


def _register_log(job: dict) -> str:
    """What the register_model node printed (its log, stdout and stderr)."""
    from mlops.jobstore import log_path

    return log_path(job["name"], "register_model").read_text()


def _versions() -> list[str]:
    from mlops import tracking

    versions = tracking.client().search_model_versions(f"name='{MODEL_NAME}'")
    return sorted(str(version.version) for version in versions)


def test_pipeline_registers_once_and_then_only_a_better_model(
    mlops_home: Path, repo_root: Path
) -> None:
    pipeline = repo_root / "pipelines" / "train.yml"

    first = engine.create_job(pipeline)
    assert first["experiment_name"] == "diabetes_regression"
    assert "Registered model diabetes_regression_model version 1 (mse 3562.96).\n" in (
        _register_log(first)
    )
    registration = _registration(first)
    assert (registration["registered"], registration["version"]) == (True, "1")
    assert registration["decision"]["reason"] == (
        "no production model yet: registering the first version"
    )

    rerun = _registration(engine.create_job(pipeline))
    assert rerun["registered"] is False
    assert rerun["decision"]["production_version"] == "1"
    assert rerun["decision"]["new_value"] == rerun["decision"]["production_value"]
    assert _versions() == ["1"]

    # The better model's line is the one test_diabetes_steps_in_sequence.py checked by hand
    # (the same data and alpha): one training of the sample for it, not two.
    better_job = engine.create_job(pipeline, set_values=["inputs.alpha=0.01"])
    assert (
        "Registered model diabetes_regression_model version 2 "
        "(mse 3486.87 vs production v1 3562.96).\n"
    ) in _register_log(better_job)
    better = _registration(better_job)
    assert (better["registered"], better["version"]) == (True, "2")
    assert better["decision"]["new_value"] < better["decision"]["production_value"]
    assert _versions() == ["1", "2"]

    from mlops import tracking

    version = tracking.client().get_model_version(MODEL_NAME, "2")
    assert version.tags["area"] == "diabetes_regression"
    assert version.tags["gate_metric"] == "mse"
