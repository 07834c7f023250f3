"""Every YAML of the sample project loads with azure-ai-ml, the schema authority."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml


def test_components_load_and_validate(repo_root: Path) -> None:
    from azure.ai.ml import load_component

    for path in [
        *sorted((repo_root / "components").glob("*_model.yml")),
        repo_root / "components" / "prep_data.yml",
    ]:
        component = load_component(path)
        assert component._validate().passed, path
        assert component.environment == "diabetes_regression_train@latest"


def test_training_pipeline_loads_validates_and_binds_every_step(repo_root: Path) -> None:
    from azure.ai.ml import load_job

    job = load_job(repo_root / "pipelines" / "train.yml")
    result = job._validate()
    assert result.passed, result.error_messages
    assert list(job.jobs) == ["prep_data", "train_model", "evaluate_model", "register_model"]
    assert job.settings.default_compute == "cpu-cluster"
    assert job.experiment_name == "diabetes_regression"
    assert job.inputs["model_name"]._data == "diabetes_regression_model"
    for name, node in job.jobs.items():
        component_inputs = set(node.component.inputs)
        bound = {key for key, value in node.inputs.items() if value._data is not None}
        assert bound == component_inputs, f"{name}: unbound inputs {component_inputs - bound}"


def test_tuning_pipeline_loads_and_validates_as_az_ml_submits_it(repo_root: Path) -> None:
    """`az ml job create -f pipelines/tune.yml` loads it with azure-ai-ml: a sweep node whose
    trial is the training component, bound as the training pipeline binds it."""
    from azure.ai.ml import load_component, load_job

    job = load_job(repo_root / "pipelines" / "tune.yml")
    result = job._validate()
    assert result.passed, result.error_messages
    assert list(job.jobs) == ["prep_data", "tune_model", "evaluate_model", "register_model"]
    tune = job.jobs["tune_model"]
    assert tune.type == "sweep"
    training = load_component(repo_root / "components" / "train_model.yml")
    assert tune.trial.command == training.command  # the trial is the training component
    assert tune.objective.primary_metric.startswith("validation_")
    # Each hyperparameter is an input of the trial, the others bound on the node.
    trial_inputs = set(training.inputs)
    assert set(tune.search_space) <= trial_inputs
    bound = {key for key, value in tune.inputs.items() if value._data is not None}
    assert bound | set(tune.search_space) == trial_inputs


@pytest.mark.sample_only("data", "model", "metrics")
def test_training_pipeline_holds_the_samples_values(repo_root: Path) -> None:
    inputs = yaml.safe_load((repo_root / "pipelines" / "train.yml").read_text())["inputs"]
    assert (inputs["alpha"], inputs["metric"]) == (0.5, "mse")
    assert (repo_root / "pipelines" / inputs["training_data"]["path"] / "diabetes.csv").is_file()


@pytest.mark.sample_only("data")
def test_data_asset_points_at_the_committed_sample(repo_root: Path) -> None:
    from azure.ai.ml import load_data

    data = load_data(repo_root / "data" / "diabetes.yml")
    assert (data.name, data.type) == ("diabetes", "uri_folder")
    assert Path(data.path) == repo_root / "data" / "diabetes"


def test_environments_load_with_their_conda_files(repo_root: Path) -> None:
    from azure.ai.ml import load_environment

    for stem, name in (
        ("train", "diabetes_regression_train"),
        ("score", "diabetes_regression_score"),
    ):
        environment = load_environment(repo_root / "environments" / f"{stem}.yml")
        assert environment.name == name
        assert environment.conda_file["name"] == name
