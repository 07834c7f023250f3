"""`mlops data create|list|show` with good and bad input, and `resolve_data`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.assets import resolve_data
from mlops.errors import NotFoundError


def _yaml(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "asset.yml"
    file.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\n" + body
    )
    return file


def test_create_from_yaml_copies_the_data_and_auto_versions(cli, tmp_path, csv_folder, make_csv):
    file = _yaml(tmp_path, "name: sales\ntype: uri_folder\npath: ./sample\ntags:\n  owner: me\n")
    shown = cli.ok("data", "create", "-f", str(file))
    assert (shown["name"], shown["version"], shown["type"]) == ("sales", "1", "uri_folder")
    assert shown["tags"] == {"owner": "me"}
    assert shown["id"] == "azureml:sales:1"
    assert set(shown["creation_context"]) >= {"created_at", "created_by"}
    stored = Path(shown["path"])
    assert stored != csv_folder and (stored / "data.csv").read_text().startswith("a,b\n0,0")
    # The copy is immutable: later edits of the source do not reach the registered version.
    make_csv(csv_folder, rows=5)
    assert (stored / "data.csv").read_text().count("\n") == 4
    second = cli.ok("data", "create", "-f", str(file))
    assert second["version"] == "2"


def test_same_content_again_returns_the_existing_version(cli, csv_folder):
    first = cli.ok("data", "create", "--name", "sales", "--path", str(csv_folder))
    again = cli.ok("data", "create", "--name", "sales", "--path", str(csv_folder))
    pinned = cli.ok("data", "create", "-n", "sales", "-v", "1", "-p", str(csv_folder))
    assert first["version"] == again["version"] == pinned["version"] == "1"
    assert [row["version"] for row in cli.ok("data", "list", "-n", "sales")] == ["1"]


def test_existing_version_with_different_content_is_refused(cli, csv_folder, make_csv):
    cli.ok("data", "create", "-n", "sales", "-v", "1", "-p", str(csv_folder))
    make_csv(csv_folder, rows=7)
    error = cli.fails("data", "create", "-n", "sales", "-v", "1", "-p", str(csv_folder))
    assert "data sales version 1 already exists with different content" in error
    assert "leave out the version to get version 2" in error
    assert resolve_data("azureml:sales:1").path.joinpath("data.csv").read_text().count("\n") == 4


def test_show_by_version_and_latest_label(cli, tmp_path, make_csv):
    for rows in (1, 2, 3):
        cli.ok("data", "create", "-n", "sales", "-p", str(make_csv(tmp_path / f"d{rows}", rows)))
    latest = cli.ok("data", "show", "-n", "sales", "--label", "latest")
    assert latest["version"] == "3"
    assert cli.ok("data", "show", "-n", "sales", "--version", "2")["version"] == "2"
    assert resolve_data("azureml:sales@latest").version == "3"
    assert resolve_data("azureml:sales:1").path.name == "d1"
    assert cli.ok("data", "show", "-n", "sales", "-v", "1", "--query", "version", "-o", "tsv") == 1


def test_list_shows_each_name_with_its_latest_version(cli, tmp_path, make_csv):
    cli.ok("data", "create", "-n", "b-data", "-p", str(make_csv(tmp_path / "x", 1)))
    cli.ok("data", "create", "-n", "a-data", "-p", str(make_csv(tmp_path / "y", 1)))
    cli.ok("data", "create", "-n", "a-data", "-p", str(make_csv(tmp_path / "z", 2)))
    listed = cli.ok("data", "list")
    assert [(row["name"], row["latest_version"]) for row in listed] == [
        ("a-data", "2"),
        ("b-data", "1"),
    ]


def test_uri_file(cli, csv_folder):
    shown = cli.ok(
        "data", "create", "-n", "one", "-t", "uri_file", "-p", str(csv_folder / "data.csv")
    )
    assert Path(shown["path"]).is_file() and Path(shown["path"]).name == "data.csv"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "sales", "-p", "missing-folder"], "missing-folder does not exist"),
        (["-n", "bad name", "-p", "."], "'bad name' is not a valid data name"),
        (["-n", "sales", "-p", "https://example.com/x.csv"], "cannot read offline"),
        (["-n", "sales", "-t", "uri_file", "-p", "."], "is a folder but the type is uri_file"),
        (["-n", "sales", "-t", "mltable", "-p", "."], "has no MLTable file"),
        (["-n", "sales", "-v", "latest", "-p", "."], "'latest' is a label"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(cli, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = cli.fails("data", "create", *args)
    assert message in error
    assert cli.ok("data", "list") == []


def test_create_needs_a_file_or_name_and_path(cli):
    assert "give -f/--file, or both --name and --path" in cli.fails("data", "create", code=2)


def test_yaml_errors_name_the_file(cli, tmp_path):
    file = _yaml(tmp_path, "name: sales\ntype: uri_folder\npath: ./nowhere\n")
    assert "nowhere" in cli.fails("data", "create", "-f", str(file))


def test_unknown_references_list_the_versions_that_exist(cli, csv_folder):
    cli.ok("data", "create", "-n", "sales", "-p", str(csv_folder))
    error = cli.fails("data", "show", "-n", "sales", "-v", "9")
    assert "has no version '9'; versions that exist: 1" in error
    assert "does not exist in the local store" in cli.fails(
        "data", "show", "-n", "nope", "-l", "latest"
    )
    with pytest.raises(NotFoundError, match="versions that exist: 1"):
        resolve_data("azureml:sales:2")


def test_show_needs_exactly_one_of_version_and_label(cli):
    assert "exactly one of --version and --label" in cli.fails("data", "show", "-n", "x", code=2)
