"""The asset commands the docs show run as shown: on the tool's own tiny project, which keeps the
sample's paths (data/, environments/, components/)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from tool_fixtures import MODEL, PROJECT, as_fixture, documented_commands

DOCS = Path(__file__).resolve().parents[3] / "docs"
# Pages whose commands run from the project's root, against its files.
PROJECT_PAGES = ["assets.md", *(f"cli/{g}.md" for g in ("data", "environment", "component"))]
SETUP = [
    "data create -f data/diabetes.yml",
    "environment create -f environments/train.yml",
    "component create -f components/train_model.yml",
]


def _run_all(cli, page: str) -> None:
    commands = documented_commands(DOCS / page)
    assert commands, f"{page} shows no mlops command"
    for command in commands:
        result = cli.run(*shlex.split(command)[1:])
        assert result.exit_code == 0, f"{page}: {command}\n{result.output}"


@pytest.mark.parametrize("page", PROJECT_PAGES)
def test_documented_commands_run_from_the_project(cli, page, monkeypatch):
    monkeypatch.chdir(PROJECT)
    for command in SETUP:
        cli.ok(*shlex.split(as_fixture(command)))
    _run_all(cli, page)


def test_documented_model_commands_run(cli, mlops_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model-folder").mkdir()
    (tmp_path / "model-folder" / "weights.txt").write_text("0.5\n")
    _run_all(cli, "cli/model.md")
    assert (tmp_path / "downloads" / MODEL / "model-folder").is_dir()
