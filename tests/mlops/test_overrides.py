"""az's generic-update flags: `--set`, `--add`, `--remove` turned into azure-ai-ml's
params_override, gathered from the command line as az's argparse does, and refused in one line
when a path is wrong (nothing runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import cli  # noqa: F401 (fixture)

from mlops.azure.loaders import load_entity
from mlops.cli.parsing import SEPARATOR, gather_greedy
from mlops.errors import UsageError
from mlops.overrides import Overrides, edited, params_override, with_params

DOCUMENT = {
    "name": "blue",
    "description": "first",
    "environment_variables": {"A": "1", "B": "2"},
    "probes": [{"port": 1}, {"port": 2}],
    "model": "azureml:m:1",
}

DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: tiny
description: first
model: azureml:m:1
instance_type: Standard_DS3_v2
instance_count: 1
environment_variables:
  A: "1"
  B: "2"
"""

COMPONENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: echo_text
version: "1"
description: first
inputs:
  text: {type: string, default: hi}
command: echo ${{inputs.text}}
environment:
  image: python:3.11-slim
"""


def test_set_keeps_scalars_as_strings_and_parses_json_structures():
    overrides = Overrides(
        set=(
            "environment_variables.C=3",
            "request_settings.request_timeout_ms=9000",
            'tags={"team": "ml", "n": 2}',
            "probes[1].port=8",
        )
    )
    assert params_override(overrides, DOCUMENT) == [
        {"environment_variables.C": "3"},
        {"request_settings.request_timeout_ms": "9000"},
        {"tags": {"team": "ml", "n": 2}},
        {"probes.1.port": "8"},
    ]
    forced = Overrides(set=('tags={"team": "ml"}',), force_string=True)
    assert params_override(forced, DOCUMENT) == [{"tags": '{"team": "ml"}'}]


def test_add_and_remove_write_the_whole_list_or_mapping_they_change():
    overrides = Overrides(
        add=(("probes", '{"port": 3}'), ("probes", "port=4", "path=/x")),
        remove=(("probes", "0"), ("environment_variables.A",), ("description",)),
    )
    assert params_override(overrides, DOCUMENT) == [
        {"probes": [{"port": 1}, {"port": 2}, {"port": 3}]},
        {"probes": [{"port": 1}, {"port": 2}, {"port": 3}, {"port": "4", "path": "/x"}]},
        {"probes": [{"port": 2}, {"port": 3}, {"port": "4", "path": "/x"}]},
        {"environment_variables": {"B": "2"}},
        {"description": None},
    ]
    assert DOCUMENT["probes"] == [{"port": 1}, {"port": 2}], "the document read is not changed"
    assert edited(overrides, DOCUMENT)["environment_variables"] == {"B": "2"}
    assert "description" not in edited(overrides, DOCUMENT)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (Overrides(set=("inputs.alpha",)), "--set 'inputs.alpha' is not path=value"),
        (Overrides(set=("model.path=x",)), "--set model.path: model is str"),
        (
            Overrides(add=(("environment_variables", "x"),)),
            "--add environment_variables: environment_variables is a mapping, not a list.",
        ),
        (Overrides(add=(("probes",),)), "--add probes: give a list's path, then the value"),
        (
            Overrides(remove=(("environment_variables.Z",),)),
            "--remove environment_variables.Z: there is no environment_variables.Z",
        ),
        (Overrides(remove=(("probes", "5"),)), "--remove probes: index 5 is out of range"),
        (Overrides(remove=(("probes", "first"),)), "--remove probes: 'first' is not an index"),
        (Overrides(set=("a..b=1",)), "--set a..b: not a path"),
    ],
)
def test_a_bad_path_is_one_line_naming_the_flag_and_path(overrides, message):
    with pytest.raises(UsageError) as raised:
        params_override(overrides, DOCUMENT)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    assert raised.value.exit_code == 2


def test_azure_ai_ml_loads_the_overridden_deployment(tmp_path: Path):
    path = tmp_path / "blue.yml"
    path.write_text(DEPLOYMENT)
    overrides = Overrides(
        set=("request_settings.request_timeout_ms=9000", "tags.team=ml"),
        remove=(("description",), ("environment_variables.A",)),
    )
    deployment = load_entity(path, "online_deployment", params_override(overrides, DEPLOYMENT_DATA))
    assert deployment.request_settings.request_timeout_ms == 9000
    assert deployment.tags == {"team": "ml"}
    assert deployment.description is None
    assert deployment.environment_variables == {"B": "2"}


DEPLOYMENT_DATA = {
    "name": "blue",
    "description": "first",
    "environment_variables": {"A": "1", "B": "2"},
}


def test_params_applied_to_a_document_as_azure_ai_ml_applies_them():
    params = [{"probes.1.port": "8"}, {"tags": {"a": "b"}}, {"description": None}]
    applied = with_params(DOCUMENT, params)
    assert applied["probes"] == [{"port": 1}, {"port": "8"}]
    assert applied["tags"] == {"a": "b"} and "description" not in applied
    assert DOCUMENT["description"] == "first"


def test_values_after_a_greedy_flag_are_its_own():
    options = ["--set", "--add", "--remove", "--file"]
    assert gather_greedy(
        ["--set", "a=1", "b=2", "--add", "l", "k=v", "j=w", "--remove", "l", "-1", "--file", "f"],
        options,
    ) == [
        *("--set", "a=1", "--set", "b=2"),
        *("--add", f"l{SEPARATOR}k=v{SEPARATOR}j=w"),
        *("--remove", f"l{SEPARATOR}-1"),
        *("--file", "f"),
    ]
    assert gather_greedy(["--set", "--file", "f"], options) == ["--set", "--file", "f"]
    assert gather_greedy(["--add", "x", "--", "--set", "y"], ["--set"]) == [
        *("--add", "x", "--", "--set", "y")
    ]


def test_create_verb_sets_fields_of_the_registered_yaml(cli, mlops_home, tmp_path):  # noqa: F811
    path = tmp_path / "echo.yml"
    path.write_text(COMPONENT)
    created = cli.ok(
        "component",
        "create",
        "-f",
        str(path),
        "--set",
        "description=second",
        "inputs.text.default=hello",
    )
    assert created["description"] == "second"
    assert created["inputs"]["text"]["default"] == "hello"
    assert "description: first" in path.read_text(), "the user's file is not changed"


def test_a_bad_path_on_the_command_line_runs_nothing(cli, mlops_home, tmp_path):  # noqa: F811
    path = tmp_path / "blue.yml"
    path.write_text(DEPLOYMENT)
    error = cli.error(
        "online-deployment",
        "update",
        "-f",
        str(path),
        "--remove",
        "environment_variables.LOG_LEVEL",
        code=2,
    )
    assert error == (
        "ERROR: --remove environment_variables.LOG_LEVEL: there is no "
        "environment_variables.LOG_LEVEL (found: A, B)."
    )
    assert not list(mlops_home.rglob("deployment.json")), "no deployment was started"


def test_an_endpoint_create_sets_fields_of_its_yaml(cli, mlops_home, tmp_path):  # noqa: F811
    path = tmp_path / "endpoint.yml"
    path.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/batchEndpoint.schema.json\n"
        "name: tiny-batch\ndescription: first\n"
    )
    created = cli.ok("batch-endpoint", "create", "-f", str(path), "--set", "description=second")
    assert (created["name"], created["description"]) == ("tiny-batch", "second")
    error = cli.error("batch-endpoint", "create", "-n", "bare-batch", "--set", "tags.a=b", code=2)
    assert error == "ERROR: --set changes a YAML file: give -f/--file."


def test_add_on_the_command_line_names_what_is_not_a_list(cli, mlops_home, tmp_path):  # noqa: F811
    path = tmp_path / "blue.yml"
    path.write_text(DEPLOYMENT)
    error = cli.error(
        *("online-deployment", "update", "-f", str(path)),
        *("--add", "environment_variables", "C=3", "--force-string"),
        code=2,
    )
    assert error == (
        "ERROR: --add environment_variables: environment_variables is a mapping, not a list."
    )


def test_a_removed_field_keeps_paths_relative_to_the_file(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    (folder / "src").mkdir(parents=True)
    path = folder / "echo.yml"
    path.write_text(COMPONENT + "code: ./src\n")
    monkeypatch.chdir(tmp_path)
    component = load_entity(path, "component", [{"description": None}])
    assert component.description is None
    assert (Path(component.base_path) / component.code).resolve() == folder / "src"
