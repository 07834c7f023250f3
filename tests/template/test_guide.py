"""The bring-your-own-code guide, in both languages: its commands exist, its files exist, and its
table of spots to edit matches the `BYOC:` markers in the repository, file by file."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
from collections import Counter
from pathlib import Path

import click
import pytest
from template_copy import REPO_ROOT

from mlops.cli import main

GUIDES = [
    REPO_ROOT / "docs" / "bring_your_own_code.md",
    REPO_ROOT / "docs" / "ja" / "bring_your_own_code.md",
]


def _commands(guide: Path) -> list[str]:
    blocks = re.findall(r"^ *```bash\n(.*?)^ *```", guide.read_text(), flags=re.S | re.M)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _marker_table(guide: Path) -> Counter[str]:
    rows = re.findall(r"^\| `([^`]+)` \| (\d+) \|", guide.read_text(), flags=re.M)
    return Counter({path: int(count) for path, count in rows})


COMMANDS = sorted({command for guide in GUIDES for command in _commands(guide)})


def test_both_languages_show_the_same_commands_and_table():
    english, japanese = GUIDES
    assert _commands(english) == _commands(japanese)
    assert _marker_table(english) == _marker_table(japanese)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_in_the_guide_exists(command: str):
    words = shlex.split(command)
    if words[0] == "mlops":
        _check_mlops(words[1:])
    elif words[0] == "make":
        assert re.search(rf"^{words[1]}:", (REPO_ROOT / "Makefile").read_text(), flags=re.M)
    elif words[:2] == ["python", "-m"]:
        assert importlib.util.find_spec(words[2]) is not None
    else:
        assert words[:2] == ["git", "grep"], f"no check for {command!r}"


def _check_mlops(words: list[str]) -> None:
    command: click.Command = main
    context = click.Context(main)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        found = command.get_command(context, words[0])
        assert found is not None, f"mlops has no command {words[0]!r}"
        command, context, words = found, click.Context(found, parent=context), words[1:]
    assert not isinstance(command, click.Group), "the guide names a group, not a command"
    options = {name for parameter in command.params for name in getattr(parameter, "opts", [])}
    flags = {word.split("=")[0] for word in words if word.startswith("-")}
    assert flags <= options, f"unknown flags {flags - options}"


def test_the_table_lists_every_byoc_marker_file_by_file():
    found = subprocess.run(
        ["git", "grep", "-c", "BYOC:", "--", ".", ":!docs", ":!tests"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    markers = Counter(
        {path: int(count) for path, count in (line.rsplit(":", 1) for line in found.stdout.split())}
    )
    assert _marker_table(GUIDES[0]) == markers


@pytest.mark.parametrize("guide", GUIDES, ids=["en", "ja"])
def test_every_file_and_link_the_guide_names_exists(guide: Path):
    text = guide.read_text()
    named = set(
        re.findall(
            r"`((?:\.github|src|components|pipelines|data|environments|endpoints|scripts)/[^`<>*\s]+\.\w+)`",
            text,
        )
    )
    named |= {"pyproject.toml"} if "`pyproject.toml`" in text else set()
    assert named
    assert not [path for path in named if not (REPO_ROOT / path).is_file()]
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text)
    assert links
    assert not [link for link in links if not (guide.parent / link).exists()]


def _sample_only_table(guide: Path) -> set[str]:
    return set(re.findall(r"^\| `(tests/[^`]+\.py)` \|", guide.read_text(), flags=re.M))


@pytest.mark.parametrize("guide", GUIDES, ids=["en", "ja"])
def test_the_guide_lists_every_module_with_sample_only_tests(guide: Path):
    marked = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in (REPO_ROOT / "tests" / "diabetes_regression").glob("test_*.py")
        if "pytest.mark.sample_only" in path.read_text()
    }
    assert marked
    assert _sample_only_table(guide) == marked, (
        f"{guide.relative_to(REPO_ROOT)}: the table of sample-only tests must list exactly the "
        "modules marked sample_only"
    )
