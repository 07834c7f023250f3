"""`mlops environment create` without a YAML file, from az ml's flags: --image with --conda-file,
or --build-context with --dockerfile-path; the flags also override a file's fields."""

from __future__ import annotations

from pathlib import Path

import yaml

IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
CONDA = "dependencies:\n  - python=3.11\n  - pip:\n    - pandas\n"


def test_image_and_conda_file_define_an_environment(cli, mlops_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("conda.yml").write_text(CONDA)
    created = cli.ok(
        *("environment", "create", "--name", "flags_env", "--version", "2024-01-rc1"),
        *("--image", IMAGE, "--conda-file", "conda.yml", "--tags", "team=ml", "-d", "by flags"),
    )
    assert (created["name"], created["version"], created["image"]) == (
        "flags_env",
        "2024-01-rc1",
        IMAGE,
    )
    assert created["conda_file"] == yaml.safe_load(CONDA)
    assert (created["tags"], created["description"]) == ({"team": "ml"}, "by flags")
    shown = cli.ok("environment", "show", "-n", "flags_env", "-v", "2024-01-rc1")
    assert shown["conda_file"] == yaml.safe_load(CONDA)


def test_a_build_context_defines_an_environment(cli, mlops_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("context").mkdir()
    Path("context/train.Dockerfile").write_text("FROM python:3.11-slim\n")
    created = cli.ok(
        *("environment", "create", "-n", "built_env", "-b", "context"),
        *("--dockerfile-path", "train.Dockerfile"),
    )
    # The stored copy's build context sits beside its YAML, under the folder's own name.
    assert created["build"] == {"path": "context", "dockerfile_path": "train.Dockerfile"}
    assert "image" not in created and created["version"] == "1"


def test_flags_override_the_file(cli, mlops_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("conda.yml").write_text(CONDA)
    Path("env.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
        "name: file_env\nimage: python:3.11-slim\n"
    )
    created = cli.ok("environment", "create", "-f", "env.yml", "-i", IMAGE, "-c", "conda.yml")
    assert (created["name"], created["image"]) == ("file_env", IMAGE)
    assert created["conda_file"] == yaml.safe_load(CONDA)


def test_missing_definition_or_file_is_one_line(cli, mlops_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error = cli.error("environment", "create", "--name", "e", "--conda-file", "c.yml", code=2)
    assert error.startswith("ERROR: --conda-file c.yml: no such file or folder")
    Path("c.yml").write_text(CONDA)
    error = cli.error("environment", "create", "--name", "e", "--conda-file", "c.yml", code=2)
    assert "--name with --image (and optionally --conda-file) or --build-context" in error
    assert cli.ok("environment", "list") == []
