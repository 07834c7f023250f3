"""The online commands the docs show run as shown, in the order a user types them: on the tool's
own tiny project, which keeps the sample's paths (endpoints/online/...)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import ENDPOINT, PROJECT, documented_commands, register_model

from mlops.cli import main

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_documented_online_commands_run(
    mlops_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    register_model(mlops_home.parent)
    setup = [
        "mlops online-endpoint create -f endpoints/online/endpoint.yml",
        "mlops online-deployment create -f endpoints/online/blue-deployment.yml --all-traffic",
    ]
    pages = [DOCS / "cli" / "online-deployment.md", DOCS / "cli" / "online-endpoint.md"]
    commands = setup + [command for page in pages for command in documented_commands(page)]
    guide = documented_commands(DOCS / "deploy_locally.md")
    assert all(command in commands or "green" in command or "blue" in command for command in guide)
    runner = CliRunner()
    try:
        for command in commands:
            result = runner.invoke(main, shlex.split(command)[1:])
            assert result.exit_code == 0, f"{command}\n{result.output}"
    finally:
        runner.invoke(main, ["online-endpoint", "delete", "-n", ENDPOINT, "--yes"])
        shutil.rmtree(mlops_home / "endpoints", ignore_errors=True)
