"""`mlops model create|list|show|download` on the MLflow registry of the local store."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops import tracking
from mlops.assets import resolve_model
from mlops.errors import NotFoundError


def _mlflow_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: m\n")
    return folder


def test_created_model_is_an_mlflow_model_version(cli, mlops_home, model_folder):
    shown = cli.ok(
        "model",
        "create",
        "-n",
        "diabetes_regression_model",
        "-p",
        str(model_folder),
        "--tags",
        "stage=dev team=ml",
        "-d",
        "first",
    )
    assert (shown["name"], shown["version"], shown["type"]) == (
        "diabetes_regression_model",
        "1",
        "custom_model",
    )
    assert shown["tags"] == {"stage": "dev", "team": "ml"}
    assert shown["description"] == "first"
    stored = Path(shown["path"])
    assert stored.name == "model" and (stored / "weights.txt").read_text() == "1.5 2.5\n"
    assert not stored.is_relative_to(model_folder)
    version = tracking.client().get_model_version("diabetes_regression_model", "1")
    assert version.source == str(stored)
    assert version.tags["stage"] == "dev"


def test_model_from_yaml_with_mlflow_type(cli, mlops_home, tmp_path):
    _mlflow_model(tmp_path / "mlflow-model")
    file = tmp_path / "model.yml"
    file.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\n"
        "name: ridge\npath: ./mlflow-model\ntype: mlflow_model\n"
    )
    shown = cli.ok("model", "create", "-f", str(file))
    assert (shown["type"], shown["version"]) == ("mlflow_model", "1")
    assert cli.ok("model", "show", "-n", "ridge", "-l", "latest")["type"] == "mlflow_model"


def test_a_model_registered_by_a_step_through_mlflow_is_listed_with_its_tags(
    cli, mlops_home, tmp_path, monkeypatch
):
    import mlflow

    for variable, value in tracking.mlflow_environment().items():
        monkeypatch.setenv(variable, value)
    experiment = tracking.experiment_id("steps")
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_artifacts(str(_mlflow_model(tmp_path / "m")), "model")
    mlflow.register_model(f"runs:/{run.info.run_id}/model", "from_step", tags={"mse": "0.5"})
    listed = cli.ok("model", "list")
    assert [(row["name"], row["latest_version"], row["tags"]) for row in listed] == [
        ("from_step", "1", {"mse": "0.5"})
    ]
    resolved = resolve_model("azureml:from_step@latest")
    assert resolved.type == "mlflow_model"
    assert (resolved.path / "MLmodel").is_file()


def test_versions_increment_and_resolve(cli, mlops_home, model_folder):
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    (model_folder / "weights.txt").write_text("3\n")
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    assert [row["version"] for row in cli.ok("model", "list", "-n", "m")] == ["2", "1"]
    assert resolve_model("azureml:m:1").path.joinpath("weights.txt").read_text() == "1.5 2.5\n"
    assert resolve_model("azureml:m@latest").version == "2"


def test_same_content_is_idempotent_and_different_content_refused(cli, mlops_home, model_folder):
    assert cli.ok("model", "create", "-n", "m", "-p", str(model_folder))["version"] == "1"
    assert (
        cli.ok("model", "create", "-n", "m", "-v", "1", "-p", str(model_folder))["version"] == "1"
    )
    assert cli.ok("model", "create", "-n", "m", "-p", str(model_folder))["version"] == "1"
    (model_folder / "weights.txt").write_text("changed\n")
    error = cli.fails("model", "create", "-n", "m", "-v", "1", "-p", str(model_folder))
    assert "model m version 1 already exists with different content" in error
    error = cli.fails("model", "create", "-n", "m", "-v", "5", "-p", str(model_folder))
    assert "the next version of m is 2, not 5" in error
    assert len(tracking.client().search_model_versions("name='m'")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "m", "-p", "missing"], "missing does not exist"),
        (["-n", "m.", "-p", "."], "'m.' is not a valid model name"),
        (["-n", "m", "-t", "mlflow_model", "-p", "."], "not an MLflow model folder"),
        (["-n", "m", "-p", "azureml://datastores/blob/paths/m"], "cannot read offline"),
    ],
)
def test_bad_input_registers_nothing(cli, mlops_home, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert message in cli.fails("model", "create", *args)
    assert tracking.client().search_registered_models() == []


def test_unknown_model_lists_existing_versions(cli, mlops_home, model_folder):
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    assert "versions that exist: 1" in cli.fails("model", "show", "-n", "m", "-v", "3")
    with pytest.raises(NotFoundError, match="does not exist in the MLflow registry"):
        resolve_model("azureml:other@latest")


def test_download_lays_files_out_as_az_ml_does(cli, mlops_home, model_folder, tmp_path):
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    cli.ok("model", "download", "-n", "m", "-v", "1", "--download-path", str(tmp_path / "out"))
    downloaded = tmp_path / "out" / "m" / "model" / "weights.txt"
    assert downloaded.read_text() == "1.5 2.5\n"
    downloaded.write_text("editable")  # a download is the user's copy, not the store's
    assert resolve_model("azureml:m:1").path.joinpath("weights.txt").read_text() == "1.5 2.5\n"


def test_a_crash_before_the_version_is_created_leaves_no_version(
    cli, mlops_home, model_folder, monkeypatch
):
    from mlflow.tracking import MlflowClient

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(MlflowClient, "create_model_version", crash)
        assert cli.run("model", "create", "-n", "m", "-p", str(model_folder)).exit_code == 130
    assert tracking.client().search_model_versions("name='m'") == []
    assert cli.ok("model", "create", "-n", "m", "-p", str(model_folder))["version"] == "1"


def test_update_changes_description_and_tags_only(cli, mlops_home, tmp_path):
    (tmp_path / "weights.txt").write_text("0.5\n")
    path = str(tmp_path / "weights.txt")
    cli.ok("model", "create", "-n", "updated", "-p", path, "--tags", "team=ml", "-v", "rc-1")
    shown = cli.ok(
        *("model", "update", "-n", "updated", "-v", "rc-1"),
        *("--set", "description=first", "tags.stage=prod", "--remove", "tags.team"),
    )
    assert (shown["description"], shown["tags"]) == ("first", {"stage": "prod"})
    assert cli.ok("model", "show", "-n", "updated", "-v", "rc-1")["tags"] == {"stage": "prod"}
    refused = cli.error(
        "model", "update", "-n", "updated", "-v", "rc-1", "--set", "type=mlflow_model", code=2
    )
    assert "type cannot change" in refused
    assert "rc-2" in cli.error("model", "update", "-n", "updated", "-v", "rc-2", "--set", "a=b")


def test_a_triton_model_registers_as_az_ml_registers_it(cli, mlops_home, tmp_path):
    (tmp_path / "model_repository").mkdir()
    (tmp_path / "model_repository" / "config.pbtxt").write_text('name: "tiny"\n')
    path = str(tmp_path / "model_repository")
    shown = cli.ok("model", "create", "-n", "tiny-triton", "-p", path, "-t", "triton_model")
    assert (shown["type"], shown["version"]) == ("triton_model", "1")
    assert cli.ok("model", "show", "-n", "tiny-triton", "-v", "1")["type"] == "triton_model"
