"""The asset commands the docs show run as shown."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
# Pages whose commands run from the repository root, against its sample files.
REPO_PAGES = ["docs/assets.md", *(f"docs/cli/{g}.md" for g in ("data", "environment", "component"))]
SETUP = [
    "data create -f data/diabetes.yml",
    "environment create -f environments/train.yml",
    "component create -f components/train_model.yml",
]


def _commands(page: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / page).read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("mlops ")]


def _run_all(cli, page: str) -> None:
    commands = _commands(page)
    assert commands, f"{page} shows no mlops command"
    for command in commands:
        result = cli.run(*shlex.split(command)[1:])
        assert result.exit_code == 0, f"{page}: {command}\n{result.output}"


@pytest.mark.parametrize("page", REPO_PAGES)
def test_documented_commands_run_from_the_repository(cli, page, monkeypatch):
    monkeypatch.chdir(REPO)
    for command in SETUP:
        cli.ok(*shlex.split(command))
    _run_all(cli, page)


def test_documented_model_commands_run(cli, mlops_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model-folder").mkdir()
    (tmp_path / "model-folder" / "weights.txt").write_text("0.5\n")
    _run_all(cli, "docs/cli/model.md")
    assert (tmp_path / "downloads" / "diabetes_regression_model" / "model-folder").is_dir()
