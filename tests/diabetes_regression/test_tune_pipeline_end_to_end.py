"""The tuning pipeline (pipelines/tune.yml) end to end under the local engine: the sweep's best
trial, ranked by the validation metric the training step logs, is the model registered."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.sample_only("model", "metrics")]

engine = pytest.importorskip("mlops.engine", reason="needs the local engine")

MODEL_NAME = "diabetes_regression_model"


def test_the_best_trials_model_is_evaluated_and_registered(
    mlops_home: Path, repo_root: Path
) -> None:
    # Two trials of the grid (alpha 0.01 and 0.1) keep the test short; the YAML runs four.
    job = engine.create_job(
        repo_root / "pipelines" / "tune.yml",
        set_values=["jobs.tune_model.limits.max_total_trials=2"],
        progress_stream=io.StringIO(),
    )
    assert job["status"] == "Completed", job
    tune = job["jobs"]["tune_model"]
    trials = {trial["name"]: trial for trial in tune["trials"]}
    assert [t["parameters"]["alpha"] for t in trials.values()] == [0.01, 0.1]
    best = min(trials.values(), key=lambda trial: trial["validation_mse"])
    assert tune["best_trial"] == best["name"]
    assert tune["metrics"] == {"validation_mse": best["validation_mse"]}
    # The gate scored the best trial's model, and that model was registered.
    assert job["jobs"]["evaluate_model"]["inputs"]["model"] == (
        "${{parent.jobs.tune_model.outputs.model}}"
    )
    from mlops.jobstore import output_path

    registration = json.loads(
        (output_path(job["name"], "registration") / "registration.json").read_text()
    )
    assert (registration["registered"], registration["version"]) == (True, "1")
    from mlops import tracking

    client = tracking.client()
    version = client.get_model_version(MODEL_NAME, "1")
    assert version.tags["training_run_id"] == best["mlflow_run_id"]
    params = client.get_run(version.tags["training_run_id"]).data.params
    assert float(params["alpha"]) == best["parameters"]["alpha"]
