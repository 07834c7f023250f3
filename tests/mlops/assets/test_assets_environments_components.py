"""`mlops environment|component create|list|show`, the stored YAML, and `missing_packages`."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from tool_fixtures import PROJECT

from mlops.assets import missing_packages, resolve_component, resolve_environment

ENV_SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"


def _environment(tmp_path: Path, conda: str, name: str = "trainer") -> Path:
    (tmp_path / "conda.yml").write_text(conda)
    file = tmp_path / "env.yml"
    file.write_text(
        ENV_SCHEMA + f"name: {name}\nimage: mcr.microsoft.com/azureml/base:latest\n"
        "conda_file: conda.yml\n"
    )
    return file


def test_environment_create_show_and_resolve(cli):
    shown = cli.ok("environment", "create", "-f", str(PROJECT / "environments" / "train.yml"))
    assert (shown["name"], shown["version"]) == ("tiny_train", "1")
    assert shown["image"].startswith("mcr.microsoft.com/azureml/")
    assert {"pip": shown["conda_file"]["dependencies"][-1]["pip"]}["pip"]
    assert cli.ok("environment", "show", "-n", "tiny_train", "-l", "latest") == shown
    from azure.ai.ml import load_environment

    stored = load_environment(str(resolve_environment("azureml:tiny_train@latest").path))
    assert stored.image == shown["image"]
    assert stored.conda_file == shown["conda_file"]


def test_environment_versions_are_immutable(cli, tmp_path):
    file = _environment(tmp_path, "dependencies:\n  - pip:\n      - click\n")
    assert cli.ok("environment", "create", "-f", str(file), "-v", "1")["version"] == "1"
    assert cli.ok("environment", "create", "-f", str(file), "-v", "1")["version"] == "1"
    _environment(tmp_path, "dependencies:\n  - pip:\n      - click\n      - jmespath\n")
    error = cli.fails("environment", "create", "-f", str(file), "-v", "1")
    assert "environment trainer version 1 already exists with different content" in error
    assert cli.ok("environment", "create", "-f", str(file))["version"] == "2"
    assert [row["version"] for row in cli.ok("environment", "list", "-n", "trainer")] == ["2", "1"]


def test_environment_bad_name_and_unknown_reference(cli, tmp_path):
    file = _environment(tmp_path, "dependencies: []\n", name="bad name")
    assert "'bad name' is not a valid environment name" in cli.fails(
        "environment", "create", "-f", str(file)
    )
    assert "does not exist in the local store" in cli.fails(
        "environment", "show", "-n", "trainer", "-v", "1"
    )


def test_missing_packages_names_what_the_interpreter_lacks(tmp_path):
    from azure.ai.ml import load_environment

    click_version = metadata.version("click")
    file = _environment(
        tmp_path,
        "dependencies:\n"
        "  - python=3.11\n"
        "  - pip\n"
        "  - conda-forge::pyyaml\n"
        "  - no-such-conda-package=1.2\n"
        "  - pip:\n"
        f"      - click=={click_version}\n"
        "      - jmespath==0.0.1\n"
        "      - definitely-not-installed-pkg>=1\n"
        "      - --extra-index-url https://example.com/simple\n",
    )
    installed_jmespath = metadata.version("jmespath")
    assert missing_packages(load_environment(str(file))) == [
        "no-such-conda-package==1.2.*",
        f"jmespath==0.0.1 (installed {installed_jmespath})",
        "definitely-not-installed-pkg>=1",
    ]


def test_missing_packages_of_an_image_only_environment_is_empty(tmp_path):
    from azure.ai.ml import load_environment

    file = tmp_path / "env.yml"
    file.write_text(ENV_SCHEMA + "name: img\nimage: mcr.microsoft.com/azureml/base:latest\n")
    assert missing_packages(load_environment(str(file))) == []


@pytest.fixture
def component_file(tmp_path: Path) -> Path:
    code = tmp_path / "src"
    code.mkdir()
    (code / "count.py").write_text("print('rows')\n")
    (code / "scratch.tmp").write_text("not part of the snapshot")
    (code / ".amlignore").write_text("*.tmp\n")
    file = tmp_path / "components" / "count.yml"
    file.parent.mkdir()
    file.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
        "type: command\nname: count_rows\nversion: 3\n"
        "inputs:\n  data:\n    type: uri_folder\n"
        "code: ../src\nenvironment: azureml:trainer@latest\n"
        "command: python count.py --data ${{inputs.data}}\n"
    )
    return file


def test_component_create_snapshots_its_code(cli, component_file):
    shown = cli.ok("component", "create", "-f", str(component_file))
    assert (shown["name"], shown["version"], shown["type"]) == ("count_rows", "3", "command")
    assert shown["command"].startswith("python count.py")
    from azure.ai.ml import load_component

    stored = resolve_component("azureml:count_rows:3").path
    component = load_component(str(stored))
    code = stored.parent / component.code
    assert (code / "count.py").read_text() == "print('rows')\n"
    assert not (code / "scratch.tmp").exists()  # .amlignore honoured, as az ml uploads
    assert component.environment == "azureml:trainer@latest" or "trainer" in str(
        component.environment
    )


def test_component_bad_name_and_immutable_versions(cli, component_file):
    text = component_file.read_text()
    component_file.write_text(text.replace("name: count_rows", "name: Count-Rows"))
    error = cli.fails("component", "create", "-f", str(component_file))
    assert "Component name should only contain lower letter, number, underscore" in error
    component_file.write_text(text)
    cli.ok("component", "create", "-f", str(component_file))
    component_file.write_text(text.replace("python count.py", "python3 count.py"))
    error = cli.fails("component", "create", "-f", str(component_file))
    assert "component count_rows version 3 already exists with different content" in error
    assert cli.ok("component", "create", "-f", str(component_file), "-v", "4")["version"] == "4"
    assert [row["latest_version"] for row in cli.ok("component", "list")] == ["4"]
