"""Every command has help text and a place in the CLI reference under docs/cli/."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mlops.cli import COMMANDS, main

REPO_ROOT = Path(__file__).resolve().parents[2]


def _walk(group: click.Group, ctx: click.Context, prefix: str):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _walk(command, click.Context(command, parent=ctx), path)


ALL_COMMANDS = list(_walk(main, click.Context(main), "mlops"))
REFERENCE = "\n".join(page.read_text() for page in (REPO_ROOT / "docs" / "cli").glob("*.md"))


def test_every_registered_group_loads():
    assert {path.split()[1] for path, _ in ALL_COMMANDS} == set(COMMANDS)


@pytest.mark.parametrize(("path", "command"), ALL_COMMANDS, ids=[p for p, _ in ALL_COMMANDS])
def test_command_has_help_and_reference(path: str, command: click.Command):
    assert (command.help or command.short_help or "").strip(), f"{path} has no help text"
    assert f"`{path}" in REFERENCE, f"{path} is missing from docs/cli/"


@pytest.mark.parametrize("path", [p for p, _ in ALL_COMMANDS])
def test_help_runs(path: str):
    result = CliRunner().invoke(main, [*path.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
