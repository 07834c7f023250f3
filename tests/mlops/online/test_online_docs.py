"""The online commands the docs show run as shown, in the order a user types them."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MODEL, REPO, save_model
from mlops.cli import main

pytestmark = pytest.mark.slow


def _commands(page: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / page).read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("mlops ")]


def test_the_documented_online_commands_run(
    mlops_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops.assets.models import create_model

    monkeypatch.chdir(REPO)
    create_model(
        name=MODEL, path=str(save_model(mlops_home.parent, 1.0)), model_type="mlflow_model"
    )
    setup = [
        "mlops online-endpoint create -f endpoints/online/endpoint.yml",
        "mlops online-deployment create -f endpoints/online/blue-deployment.yml --all-traffic",
    ]
    pages = ["docs/cli/online-deployment.md", "docs/cli/online-endpoint.md"]
    commands = setup + [command for page in pages for command in _commands(page)]
    guide = _commands("docs/deploy_locally.md")
    assert all(command in commands or "green" in command or "blue" in command for command in guide)
    runner = CliRunner()
    try:
        for command in commands:
            result = runner.invoke(main, shlex.split(command)[1:])
            assert result.exit_code == 0, f"{command}\n{result.output}"
    finally:
        runner.invoke(main, ["online-endpoint", "delete", "-n", "diabetes-regression", "--yes"])
        shutil.rmtree(mlops_home / "endpoints", ignore_errors=True)
