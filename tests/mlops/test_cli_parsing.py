"""az's command-line surface, in-process: long options abbreviated as az accepts them
(argparse's prefix matching), and `--no-wait`."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest
from tool_fixtures import Cli, documented_commands, project_copy

from mlops.cli import _debug_first
from mlops.cli.parsing import expand_prefixes

DOCS = Path(__file__).resolve().parents[2] / "docs"
OPTIONS = ["--endpoint-name", "--output", "--output-name", "--set", "--stream"]


def test_a_unique_prefix_is_written_out_and_an_exact_name_wins() -> None:
    given = ["--endpoint", "e", "--str", "--se=a=1", "--output", "x", "--output-n", "y"]
    assert expand_prefixes(given, OPTIONS) == [
        *("--endpoint-name", "e", "--stream", "--set=a=1", "--output", "x"),
        *("--output-name", "y"),
    ]
    assert expand_prefixes(["--", "--str"], OPTIONS) == ["--", "--str"]
    assert expand_prefixes(["--nothing", "-e"], OPTIONS) == ["--nothing", "-e"]
    with pytest.raises(click.UsageError, match="--out could match --output, --output-name"):
        expand_prefixes(["--out", "tsv"], OPTIONS)


def test_an_ambiguous_prefix_is_refused_with_its_matches() -> None:
    with pytest.raises(click.UsageError, match="could match --set, --stream"):
        expand_prefixes(["--s", "x"], OPTIONS)


def test_the_cli_takes_prefixes_everywhere(
    tmp_path: Path, mlops_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_copy(tmp_path))
    cli = Cli()
    # Every command the page shows, `--debug` moved to the front as `mlops.cli.run` does.
    shown = documented_commands(DOCS / "cli" / "README.md")
    assert len(shown) == 4 and sum("--debug" in command for command in shown) == 2
    for command in shown:
        result = cli.run(*_debug_first(shlex.split(command)[1:]))
        assert result.exit_code == 0, f"{command}\n{result.output}"
        if "--no-wait" in command:  # as az ml: no result on stdout, a note on stderr
            assert result.stdout == ""
            assert "has completed" in result.stderr
    assert cli.ok("batch-deployment", "list", "--endpoint", "tiny-batch") == []
    assert cli.ok("batch-endpoint", "list", "--que", "[].name") == ["tiny-batch"]
    assert (
        cli.run(
            "batch-endpoint", "show", "--na", "tiny-batch", "--query", "name", "--out", "tsv"
        ).stdout
        == "tiny-batch\n"
    )
    stderr = cli.fails("job", "create", "--s", "inputs.a=1", "-f", "job.yml", code=2)
    assert "ambiguous option: --s could match --set, --stream, --subscription" in stderr
    deleted = cli.run("batch-endpoint", "delete", "-n", "tiny-batch", "--yes", "--no-w")
    assert (deleted.exit_code, deleted.stdout) == (0, "")
    assert cli.ok("batch-endpoint", "list") == []
    assert "No such option '--nope'" in cli.fails("job", "list", "--nope", code=2)
