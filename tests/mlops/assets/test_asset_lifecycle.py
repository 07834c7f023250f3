"""`archive`, `restore` and `update` of data, environments and components, as az ml has them;
`list --include-archived/--archived-only`; a catalog written before `archived` existed; and the
create flags `--datastore`, `--registry-name`, `--skip-validation` and `model create --stage`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from tool_fixtures import PROJECT

from mlops.assets import resolve_component, resolve_data, resolve_environment

ENV = """\
$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: trainer
image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
description: {description}
"""


def _two_data_versions(cli, make_csv, tmp_path: Path) -> None:
    folder = make_csv(tmp_path / "rows", rows=2)
    cli.ok("data", "create", "-n", "rows", "-p", str(folder), "-v", "1")
    make_csv(folder, rows=3)
    cli.ok("data", "create", "-n", "rows", "-p", str(folder), "-v", "2")


def test_data_archive_restore_and_list_flags(cli, make_csv, tmp_path):
    _two_data_versions(cli, make_csv, tmp_path)

    assert cli.ok("data", "archive", "-n", "rows", "-l", "latest") is None
    assert cli.ok("data", "show", "-n", "rows", "-l", "latest")["version"] == "1"
    assert resolve_data("azureml:rows@latest").version == "1"
    assert resolve_data("azureml:rows:2").version == "2", "archived, still usable by version"
    assert cli.ok("data", "list", "-n", "rows", "--query", "[].version") == ["1"]
    every = cli.ok("data", "list", "-n", "rows", "--include-archived", "--query", "[].version")
    assert every == ["2", "1"]
    newest = cli.ok("data", "list", "-n", "rows", "--include-archived", "-r", "1")
    assert [entry["version"] for entry in newest] == ["2"]
    assert "0 is not in the range x>=1" in cli.fails("data", "list", "-r", "0", code=2)
    assert cli.ok("data", "list", "--archived-only", "--query", "[].latest_version") == ["2"]
    assert cli.ok("data", "list", "--query", "[].latest_version") == ["1"]

    cli.ok("data", "archive", "--name", "rows")  # every version: the container
    assert cli.ok("data", "list") == []
    error = cli.error("data", "show", "-n", "rows", "-l", "latest")
    assert "every version of data asset 'rows' is archived" in error
    cli.ok("data", "restore", "-n", "rows", "-v", "1")
    assert resolve_data("azureml:rows@latest").version == "1"
    cli.ok("data", "restore", "-n", "rows")
    assert resolve_data("azureml:rows@latest").version == "2"
    cli.ok("data", "archive", "-n", "rows", "-v", "2")
    again = cli.ok("data", "create", "-n", "rows", "-p", str(tmp_path / "rows"))
    assert again["version"] == "3", "the archived version's content makes a new latest"
    assert "has no version '9'" in cli.error("data", "archive", "-n", "rows", "-v", "9")
    assert "does not exist" in cli.error("data", "restore", "-n", "nope")


def test_data_update_sets_description_and_tags_only(cli, make_csv, tmp_path):
    _two_data_versions(cli, make_csv, tmp_path)
    updated = cli.ok(
        "data", "update", "-n", "rows", "-v", "1", "--set", "description=first cut", "tags.x=1"
    )
    assert (updated["description"], updated["tags"]) == ("first cut", {"x": "1"})
    cli.ok("data", "update", "-n", "rows", "-v", "1", "--remove", "tags.x")
    shown = cli.ok("data", "show", "-n", "rows", "-v", "1")
    assert (shown["description"], shown["tags"]) == ("first cut", {})
    assert cli.ok("data", "show", "-n", "rows", "-v", "2")["description"] is None
    error = cli.error("data", "update", "-n", "rows", "-v", "1", "--set", "type=uri_file", code=2)
    assert "type cannot change once registered" in error


def test_environment_and_component_archive_and_update(cli, tmp_path):
    file = tmp_path / "env.yml"
    for description in ("one", "two"):
        file.write_text(ENV.format(description=description))
        cli.ok("environment", "create", "-f", str(file))
    cli.ok("environment", "archive", "-n", "trainer", "-v", "2")
    assert resolve_environment("azureml:trainer@latest").version == "1"
    assert resolve_environment("azureml:trainer:2").description == "two"
    rows = cli.ok("environment", "list", "--archived-only")
    assert [(row["name"], row["latest_version"]) for row in rows] == [("trainer", "2")]
    updated = cli.ok("environment", "update", "-n", "trainer", "-v", "1", "--set", "tags.t=a")
    assert updated["tags"] == {"t": "a"} and updated["description"] == "one"
    cli.ok("environment", "restore", "-n", "trainer", "-l", "latest")  # @latest is 1: no change
    assert cli.ok("environment", "list", "--query", "[].latest_version") == ["1"]
    cli.ok("environment", "restore", "-n", "trainer", "-v", "2")
    assert cli.ok("environment", "list", "--query", "[].latest_version") == ["2"]

    component = str(PROJECT / "components" / "train_model.yml")
    cli.ok("component", "create", "-f", component)
    cli.ok("component", "update", "-n", "tiny_train_model", "-v", "1", "--set", "description=d")
    assert resolve_component("azureml:tiny_train_model:1").description == "d"
    cli.ok("component", "archive", "-n", "tiny_train_model")
    assert cli.ok("component", "list") == []
    listed = cli.ok("component", "list", "--include-archived", "--query", "[].name")
    assert listed == ["tiny_train_model"]
    assert resolve_component("azureml:tiny_train_model:1").archived


def test_a_catalog_written_before_archived_existed_still_opens(cli, make_csv, tmp_path):
    """A catalog of the first schema (no `archived` column) is read as it is, and gains the
    column at its next write."""
    home = tmp_path / ".mlops"
    home.mkdir()
    stored = make_csv(tmp_path / "old-data", rows=2)
    connection = sqlite3.connect(home / "assets.db")
    connection.execute(
        "CREATE TABLE assets (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
        " name TEXT NOT NULL, version TEXT NOT NULL, type TEXT NOT NULL, path TEXT NOT NULL,"
        " content_hash TEXT NOT NULL, description TEXT, tags TEXT NOT NULL,"
        " properties TEXT NOT NULL, details TEXT NOT NULL, created_at TEXT NOT NULL,"
        " created_by TEXT NOT NULL, UNIQUE (kind, name, version))"
    )
    connection.execute(
        "INSERT INTO assets (kind, name, version, type, path, content_hash, description, tags,"
        " properties, details, created_at, created_by)"
        " VALUES ('data', 'old', '1', 'uri_folder', ?, 'abc', 'kept', ?, '{}', '{}', 't', 'me')",
        (str(stored), json.dumps({"k": "v"})),
    )
    connection.commit()
    connection.close()

    assert cli.ok("data", "list", "--query", "[].[name, latest_version]") == [["old", "1"]]
    assert cli.ok("data", "show", "-n", "old", "-v", "1")["tags"] == {"k": "v"}
    cli.ok("data", "archive", "-n", "old", "-v", "1")
    with sqlite3.connect(home / "assets.db") as migrated:
        columns = [row[1] for row in migrated.execute("PRAGMA table_info(assets)")]
        assert columns[-1] == "archived"
        assert migrated.execute("SELECT archived FROM assets").fetchall() == [(1,)]
    assert cli.ok("data", "list", "--archived-only", "--query", "[].name") == ["old"]


def test_datastore_and_skip_validation_on_data_create(cli, make_csv, tmp_path):
    folder = make_csv(tmp_path / "table", rows=2)
    created = cli.ok(
        "data", "create", "-n", "t", "-p", str(folder), "--datastore", "azureml:workspaceblobstore"
    )
    assert created["version"] == "1"
    error = cli.error("data", "create", "-n", "t", "-p", str(folder), "--datastore", "lake")
    assert error == (
        "ERROR: --datastore lake: only workspaceblobstore exists locally; other datastores exist "
        "only on Azure ML. Fix: leave out --datastore (the default is workspaceblobstore)."
    )
    no_mltable = ("data", "create", "-n", "m", "-p", str(folder), "-t", "mltable")
    assert "has no MLTable file" in cli.error(*no_mltable)
    assert cli.ok(*no_mltable, "--skip-validation")["type"] == "mltable"


@pytest.mark.parametrize(
    "command",
    [
        ("data", "list"),
        ("data", "show", "-n", "x", "-v", "1"),
        ("model", "create", "-n", "x", "-p", "."),
        ("model", "list"),
        ("environment", "show", "-n", "x", "-v", "1"),
        ("component", "create", "-f", "c.yml"),
    ],
)
def test_registry_name_is_refused_in_one_line(cli, command):
    error = cli.error(*command, "--registry-name", "shared")
    assert error.startswith("ERROR: --registry-name shared: registries exist only on Azure ML")


def test_model_stage_is_kept_shown_and_updated(cli, mlops_home, model_folder, tmp_path):
    created = cli.ok(
        "model", "create", "-n", "m", "-p", str(model_folder), "--stage", "Staging",
        "--datastore", "workspaceblobstore",
    )  # fmt: skip
    assert created["stage"] == "Staging"
    assert "stage" not in json.dumps(created["tags"]), "kept apart from the user's tags"
    updated = cli.ok("model", "update", "-n", "m", "-v", "1", "--set", "stage=Production")
    assert updated["stage"] == "Production"
    assert cli.ok("model", "show", "-n", "m", "-v", "1", "--query", "stage") == "Production"
    (model_folder / "weights.txt").write_text("3\n")
    file = tmp_path / "model.yml"
    file.write_text(f"name: m\npath: {model_folder}\nstage: Archived-candidate\n")
    assert cli.ok("model", "create", "-f", str(file))["stage"] == "Archived-candidate"
    (model_folder / "weights.txt").write_text("4\n")
    plain = cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    assert plain["stage"] == "Development", "Azure's default stage"
    cli.ok("model", "archive", "-n", "m", "-l", "latest")
    again = cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    assert again["version"] == "4", "the archived version's content makes a new latest"
    assert "--datastore lake" in cli.error(
        "model", "create", "-n", "m", "-p", str(model_folder), "--datastore", "lake"
    )


def test_a_model_with_every_version_archived_has_no_latest_and_says_the_fix(
    cli, mlops_home, model_folder
):
    cli.ok("model", "create", "-n", "m", "-p", str(model_folder))
    cli.ok("model", "archive", "-n", "m")  # every version
    assert cli.ok("model", "show", "-n", "m", "-v", "1")["version"] == "1"
    error = cli.error("model", "show", "-n", "m", "-l", "latest")
    assert "every version of model 'm' is archived" in error
    assert "Fix: give a version, or `mlops model restore -n m`." in error
    assert "\n" not in error.strip()


def test_a_version_and_a_label_together_or_another_label_say_the_fix(cli, make_csv, tmp_path):
    _two_data_versions(cli, make_csv, tmp_path)

    both = cli.error("data", "archive", "-n", "rows", "-v", "1", "-l", "latest", code=2)
    assert "--version and --label both given for data 'rows'. Fix: give one of them" in both
    other = cli.error("data", "archive", "-n", "rows", "-l", "production", code=2)
    assert "label 'production' is not supported locally; only 'latest' is. Fix:" in other
    assert cli.ok("data", "list", "-n", "rows", "--query", "[].version") == ["2", "1"]
