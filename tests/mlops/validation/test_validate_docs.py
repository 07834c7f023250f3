"""The examples docs/cli/validate.md shows run as shown: same output, exit code from the output.
Examples on the broken corpus run from the repository root; the others run in a copy of the
tool's own tiny project (a repository of its own), never on the sample."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import project_copy

from mlops.cli import main

REPO_ROOT = Path(__file__).resolve().parents[3]
PAGE = REPO_ROOT / "docs" / "cli" / "validate.md"


def _examples() -> list[tuple[str, str | None]]:
    """(command, the output shown right after it, or None when none is shown)."""
    blocks = re.findall(r"```(bash|text)\n(.*?)```", PAGE.read_text(), flags=re.S)
    examples = []
    for position, (language, body) in enumerate(blocks):
        if language != "bash":
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else ("", "")
        shown = following[1] if following[0] == "text" else None
        examples += [(line, shown) for line in body.splitlines() if line.startswith("mlops ")]
    return examples


EXAMPLES = _examples()


def test_the_page_shows_examples_of_each_outcome():
    shown = [output for _, output in EXAMPLES if output]
    assert len(EXAMPLES) >= 8
    assert any("valid." in output for output in shown)
    assert any("ERROR:" in output for output in shown)
    assert any(" Fix: " in output for output in shown)


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_each_example_runs_as_shown(command: str, shown: str | None, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO_ROOT if "tests/mlops/" in command else project_copy(tmp_path))
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert "Traceback" not in result.output
    if shown is None:
        assert result.exit_code == 0, result.output
        return
    assert result.output == shown
    expected_code = 2 if shown.startswith("ERROR:") else 1 if " Fix: " in shown else 0
    assert result.exit_code == expected_code
