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
