"""The gate and the registration, run in-process against a real MLflow store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from trained_models import TrainedModels

from diabetes_regression import evaluate_model, register_model
from diabetes_regression.data import content_hash

# Its expected values come from the sample data, the Ridge model and its alpha, and mse.
# Trains four models (the shared `models` fixture) and registers them in a real MLflow store.
pytestmark = [pytest.mark.sample_only(), pytest.mark.slow]

MODEL_NAME = "diabetes_regression_model"


def _gate(
    models: TrainedModels,
    model: str,
    out: Path,
    training_data: Path,
    *,
    metric: str = "mse",
    run_evaluation: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run evaluate then register on `model`; return decision.json and registration.json."""
    evaluation, registration = out / "evaluation", out / "registration"
    evaluate_model.main(
        [
            "--model",
            str(models[model]),
            "--test_data",
            str(models["test"]),
            "--model_name",
            MODEL_NAME,
            "--metric",
            metric,
            "--run_evaluation",
            str(run_evaluation),
            "--evaluation",
            str(evaluation),
        ]
    )
    register_model.main(
        [
            "--model",
            str(models[model]),
            "--evaluation",
            str(evaluation),
            "--training_data",
            str(training_data),
            "--model_name",
            MODEL_NAME,
            "--registration",
            str(registration),
        ]
    )
    decision = json.loads((evaluation / "decision.json").read_text())
    return decision, json.loads((registration / "registration.json").read_text())


def _versions() -> list[str]:
    from mlflow import MlflowClient

    versions = MlflowClient().search_model_versions(f"name='{MODEL_NAME}'")
    return sorted(str(version.version) for version in versions)


def _training_run(model: Path) -> str:
    from mlflow.models import Model

    return Model.load(str(model)).metadata["training_run_id"]


def test_first_model_registers_version_1_with_its_tags(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path, capsys
) -> None:
    from mlflow import MlflowClient

    decision, registration = _gate(models, "base", tmp_path, sample_data)
    assert decision["register"] is True and decision["production_version"] is None
    assert registration["registered"] is True and registration["version"] == "1"
    assert capsys.readouterr().out == f"Registered model {MODEL_NAME} version 1 (mse 3562.96).\n"
    version = MlflowClient().get_model_version(MODEL_NAME, "1")
    assert version.tags["training_run_id"] == _training_run(models["base"])
    assert version.tags["data_hash"] == content_hash(sample_data)
    assert version.tags["area"] == "diabetes_regression"
    assert version.tags["mse"] == "3562.96"
    assert version.tags["gate_metric"] == "mse"
    register_run = MlflowClient().get_run(version.run_id)
    assert register_run.data.metrics["mse"] == pytest.approx(decision["new_value"])
    assert register_run.data.metrics["registered"] == 1
    plot = tmp_path / "evaluation" / "predicted_vs_actual.png"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_equal_model_from_another_run_is_not_registered(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path, capsys
) -> None:
    _gate(models, "base", tmp_path / "first", sample_data)
    decision, registration = _gate(models, "base_again", tmp_path / "second", sample_data)
    assert decision["new_value"] == decision["production_value"]
    assert decision["register"] is False
    assert registration == {
        "registered": False,
        "name": MODEL_NAME,
        "version": None,
        "reason": f"the gate decided not to: {decision['reason']}",
        "decision": decision,
    }
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Did not register model {MODEL_NAME} (mse 3562.96 vs production v1 3562.96): "
        "the gate decided not to: mse 3562.96 does not beat production version 1's 3562.96."
    )
    assert _versions() == ["1"]


def test_worse_model_is_not_registered(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path
) -> None:
    _gate(models, "base", tmp_path / "first", sample_data)
    decision, registration = _gate(models, "worse", tmp_path / "second", sample_data)
    assert decision["new_value"] > decision["production_value"]
    assert registration["registered"] is False
    assert _versions() == ["1"]


def test_better_model_is_registered_as_the_next_version(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path
) -> None:
    _gate(models, "base", tmp_path / "first", sample_data)
    decision, registration = _gate(models, "better", tmp_path / "second", sample_data)
    assert decision["new_value"] < decision["production_value"]
    assert decision["production_version"] == "1"
    assert (registration["registered"], registration["version"]) == (True, "2")
    assert _versions() == ["1", "2"]


def test_only_the_production_models_requirements_are_checked_against_the_environment(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path, monkeypatch
) -> None:
    import mlflow.pyfunc

    checked: list[list[str]] = []
    monkeypatch.setattr(
        mlflow.pyfunc, "warn_dependency_requirement_mismatches", checked.append, raising=True
    )
    _gate(models, "base", tmp_path / "first", sample_data)
    assert checked == []  # the new model was saved in this environment
    decision, _ = _gate(models, "better", tmp_path / "second", sample_data)
    assert decision["production_version"] == "1"
    assert len(checked) == 1 and any(line.startswith("mlflow==") for line in checked[0])


def test_run_evaluation_false_registers_without_comparing(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path
) -> None:
    _gate(models, "base", tmp_path / "first", sample_data)
    decision, registration = _gate(
        models, "worse", tmp_path / "second", sample_data, run_evaluation=False
    )
    assert decision["production_value"] is None
    assert decision["reason"] == "run_evaluation is false: registering without comparing"
    assert (registration["registered"], registration["version"]) == (True, "2")


@pytest.mark.parametrize("metric", ["mse", "rmse", "mae", "r2"])
def test_each_metric_decides_in_its_own_direction(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path, metric: str
) -> None:
    _gate(models, "worse", tmp_path / "first", sample_data, metric=metric)
    decision, registration = _gate(models, "base", tmp_path / "second", sample_data, metric=metric)
    assert decision["metric"] == metric
    if metric == "r2":
        assert decision["new_value"] > decision["production_value"]
    else:
        assert decision["new_value"] < decision["production_value"]
    assert registration["registered"] is True
    back, _ = _gate(models, "worse", tmp_path / "third", sample_data, metric=metric)
    assert back["register"] is False


def test_the_same_runs_model_is_never_registered_twice(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path
) -> None:
    _gate(models, "base", tmp_path / "first", sample_data, run_evaluation=False)
    decision, registration = _gate(
        models, "base", tmp_path / "second", sample_data, run_evaluation=False
    )
    assert decision["register"] is True
    assert registration["registered"] is False
    assert registration["reason"] == (
        f"the model of training run {_training_run(models['base'])} is already version 1"
    )
    assert _versions() == ["1"]


def test_register_attaches_to_the_step_run_and_copies_the_job_tags(
    models: TrainedModels,
    tracked: str,
    tmp_path: Path,
    sample_data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from mlflow import MlflowClient

    client = MlflowClient()
    experiment = os.environ["MLFLOW_EXPERIMENT_ID"]
    tags = {"build_id": "42", "build_uri": "https://ci.example/42", "git_commit": "abc123"}
    pipeline = client.create_run(experiment, tags=tags)
    step = client.create_run(experiment, tags={"mlflow.parentRunId": pipeline.info.run_id})
    evaluation = tmp_path / "evaluation"
    evaluate_model.main(
        [
            "--model",
            str(models["base"]),
            "--test_data",
            str(models["test"]),
            "--model_name",
            MODEL_NAME,
            "--evaluation",
            str(evaluation),
        ]
    )
    monkeypatch.setenv("MLFLOW_RUN_ID", step.info.run_id)
    register_model.main(
        [
            "--model",
            str(models["base"]),
            "--evaluation",
            str(evaluation),
            "--training_data",
            str(sample_data),
            "--model_name",
            MODEL_NAME,
            "--registration",
            str(tmp_path / "registration"),
        ]
    )
    version = client.get_model_version(MODEL_NAME, "1")
    assert version.run_id == step.info.run_id
    assert version.tags["pipeline_run_id"] == pipeline.info.run_id
    assert {name: version.tags[name] for name in tags} == tags
    assert client.get_run(step.info.run_id).data.tags["model_version"] == "1"


def test_register_refuses_a_folder_that_is_not_a_trained_model(
    models: TrainedModels, tracked: str, tmp_path: Path, sample_data: Path
) -> None:
    evaluation = tmp_path / "evaluation"
    evaluation.mkdir()
    (evaluation / "decision.json").write_text('{"register": true}')
    not_a_model = tmp_path / "not_a_model"
    not_a_model.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        register_model.main(
            [
                *("--model", str(not_a_model), "--evaluation", str(evaluation)),
                *("--training_data", str(sample_data), "--registration", str(tmp_path / "out")),
            ]
        )
    assert exit_info.value.code == (
        f"ERROR: {not_a_model}: not an MLflow model with training_run_id in its metadata "
        "(No such artifact: 'MLmodel'); save it with diabetes_regression.train_model."
    )
    assert _versions() == []
    assert not (tmp_path / "out").exists()


def test_latest_version_is_the_highest_number_not_the_last_string(
    tracked: str, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    from diabetes_regression.registry import latest_version, model_versions

    assert model_versions("never_registered") == []
    assert latest_version("never_registered") is None
    client = MlflowClient()
    client.create_registered_model("numbered")
    for _ in range(10):
        client.create_model_version("numbered", tmp_path.as_uri(), tags={"k": "v"})
    assert latest_version("numbered") == "10"
    assert model_versions("numbered")[0][1] == {"k": "v"}
