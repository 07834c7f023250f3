"""Model and data versions are strings, as on Azure (`2024-01-rc1`): the MLflow registry numbers a
model's versions inside, and the Azure version is kept beside the number and resolved through
everywhere a version is named (show, list, download, `azureml:` references, @latest)."""

from __future__ import annotations

from pathlib import Path

from mlops import tracking
from mlops.assets import resolve_data, resolve_model
from mlops.assets.models import VERSION_TAG
from mlops.engine.sources import data_source


def test_a_model_version_may_be_any_azure_version_string(cli, mlops_home, model_folder, tmp_path):
    created = cli.ok("model", "create", "-n", "m", "-p", str(model_folder), "-v", "2024-01-rc1")
    assert (created["version"], created["mlflow_version"]) == ("2024-01-rc1", "1")
    assert created["id"] == "azureml:m:2024-01-rc1"
    assert tracking.client().get_model_version("m", "1").tags[VERSION_TAG] == "2024-01-rc1"

    (model_folder / "weights.txt").write_text("2\n")
    assert cli.ok("model", "create", "-n", "m", "-p", str(model_folder))["version"] == "2"
    listed = cli.ok("model", "list", "-n", "m")
    assert [row["version"] for row in listed] == ["2", "2024-01-rc1"]
    assert cli.ok("model", "list", "--query", "[].latest_version") == ["2"]

    shown = cli.ok("model", "show", "-n", "m", "-v", "2024-01-rc1")
    assert Path(shown["path"]).joinpath("weights.txt").read_text() == "1.5 2.5\n"
    assert resolve_model("azureml:m:2024-01-rc1").path == Path(shown["path"])
    assert resolve_model("azureml:m@latest").version == "2"
    assert cli.ok("model", "show", "-n", "m", "-l", "latest")["version"] == "2"

    # A pipeline's model input and a deployment's model resolve through the same lookup.
    resolved = data_source("azureml:m:2024-01-rc1", "custom_model", None, tmp_path)
    assert resolved.asset == "azureml:m:2024-01-rc1"
    assert (Path(resolved.path) / "weights.txt").read_text() == "1.5 2.5\n"

    cli.ok("model", "download", "-n", "m", "-v", "2024-01-rc1", "-p", str(tmp_path / "out"))
    assert (tmp_path / "out" / "m" / "model" / "weights.txt").read_text() == "1.5 2.5\n"


def test_string_versions_are_immutable_and_numbers_keep_their_rule(cli, mlops_home, model_folder):
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder), "-v", "rc1")
    again = cli.ok("model", "create", "-n", "m", "-p", str(model_folder), "-v", "rc1")
    assert (again["version"], again["mlflow_version"]) == ("rc1", "1")
    (model_folder / "weights.txt").write_text("changed\n")
    error = cli.error("model", "create", "-n", "m", "-p", str(model_folder), "-v", "rc1")
    assert "model m version rc1 already exists with different content" in error
    error = cli.error("model", "create", "-n", "m", "-p", str(model_folder), "-v", "5")
    assert "the next version of m is 2, not 5" in error
    numbered = cli.ok("model", "create", "-n", "m", "-p", str(model_folder), "-v", "2")
    assert (numbered["version"], numbered["mlflow_version"]) == ("2", "2")
    error = cli.error("model", "show", "-n", "m", "-v", "1")
    assert "has no version '1'; versions that exist: rc1, 2" in error
    error = cli.error("model", "create", "-n", "m", "-p", str(model_folder), "-v", "bad/version")
    assert "'bad/version' is not a valid version" in error


def test_a_data_version_may_be_any_azure_version_string(cli, mlops_home, tmp_path):
    folder = tmp_path / "rows"
    folder.mkdir()
    (folder / "data.csv").write_text("a\n1\n")
    created = cli.ok("data", "create", "-n", "rows", "-p", str(folder), "-v", "2024-01-rc1")
    assert created["version"] == "2024-01-rc1"
    assert resolve_data("azureml:rows:2024-01-rc1").path == Path(created["path"])
    assert cli.ok("data", "show", "-n", "rows", "-l", "latest")["version"] == "2024-01-rc1"


def test_archived_versions_leave_list_and_latest_and_still_resolve(cli, mlops_home, model_folder):
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder), "-v", "rc1")
    (model_folder / "weights.txt").write_text("2\n")
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder), "-v", "rc2")

    assert cli.ok("model", "archive", "-n", "m", "-l", "latest") is None
    assert [row["version"] for row in cli.ok("model", "list", "-n", "m")] == ["rc1"]
    assert resolve_model("azureml:m@latest").version == "rc1"
    assert resolve_model("azureml:m:rc2").version == "rc2", "archived, still usable by version"
    every = cli.ok("model", "list", "-n", "m", "--include-archived", "--query", "[].version")
    assert every == ["rc2", "rc1"]
    assert cli.ok("model", "list", "--archived-only", "--query", "[].latest_version") == ["rc2"]

    cli.ok("model", "restore", "-n", "m", "-v", "rc2")
    assert resolve_model("azureml:m@latest").version == "rc2"
    cli.ok("model", "archive", "-n", "m")
    assert cli.ok("model", "list") == []
    assert "model 'nope' does not exist" in cli.error("model", "archive", "-n", "nope")
