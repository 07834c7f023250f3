"""Failures a user can cause or meet: one line naming what, where and the fix; no traceback
unless `--debug`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from mlops.cli import _debug_first


def _immutable(folder: Path, on: bool) -> None:
    """Make a folder tree read-only even for root (chattr +i), or writable again."""
    subprocess.run(["chattr", "-R", "+i" if on else "-i", str(folder)], check=True)


@pytest.fixture
def read_only(mlops_home: Path):
    """The local state folder made read-only: by permissions, or for root by the filesystem."""
    if os.geteuid() != 0:
        for folder in [mlops_home, *mlops_home.rglob("*")]:
            folder.chmod(folder.stat().st_mode & ~0o222)
        yield mlops_home
        for folder in [mlops_home, *mlops_home.rglob("*")]:
            folder.chmod(folder.stat().st_mode | 0o200)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: nothing is read-only to root")
    _immutable(mlops_home, True)
    try:
        yield mlops_home
    finally:
        _immutable(mlops_home, False)


@pytest.mark.parametrize(
    "command",
    [
        ["model", "list"],
        ["data", "create", "-n", "d", "-p", ".", "-t", "uri_folder"],
        ["online-endpoint", "create", "-n", "blocked"],
    ],
)
def test_a_read_only_home_is_one_line_naming_it(cli, read_only, command):
    line = cli.error(*command)

    assert str(read_only) in line and "MLOPS_HOME" in line


def test_debug_shows_the_traceback_the_line_replaces(read_only, cli, error_line):
    plain = cli.run("model", "list")
    # In-process, with `--debug` moved to the front as `mlops.cli.run` does: the unexpected
    # error is re-raised (a process then prints its traceback), not turned into one line.
    debug = cli.run(*_debug_first(["model", "list", "--debug"]))

    assert plain.exit_code == 1 and error_line(plain.stderr)
    assert plain.exception is None or isinstance(plain.exception, SystemExit)
    assert debug.exit_code == 1 and not isinstance(debug.exception, SystemExit)
    shown = "".join(traceback.format_exception(*debug.exc_info))
    assert shown.startswith("Traceback (most recent call last)")
    assert str(read_only) in shown and "ERROR:" not in debug.stderr


def test_job_create_refuses_a_device_before_reading_it(cli, mlops_home):
    line = cli.error("job", "create", "-f", "/dev/zero")

    assert "/dev/zero" in line and "not a regular file" in line


def test_a_missing_linter_is_one_line_with_the_install_command(
    cli, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs: {}\n")
    # An interpreter with no linters beside it, and a PATH without them.
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    line = cli.error("validate", str(workflows))

    assert "executable is missing" in line and "uv pip install" in line


@pytest.mark.slow
def test_a_model_whose_files_were_deleted_is_one_line_on_deploy(
    cli, mlops_home, model_folder, tmp_path
):
    stored = Path(cli.ok("model", "create", "-n", "gone", "-p", str(model_folder))["path"])
    shutil.rmtree(stored.parent)
    code = tmp_path / "code"
    code.mkdir()
    (code / "score.py").write_text("def init():\n    pass\n\n\ndef run(raw):\n    return raw\n")
    deployment = tmp_path / "blue.yml"
    deployment.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: faults\nmodel: azureml:gone:1\n"
        "code_configuration:\n  code: ./code\n  scoring_script: score.py\n"
        "environment: azureml:anything@latest\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n"
    )
    cli.ok("online-endpoint", "create", "-n", "faults")
    try:
        line = cli.error("online-deployment", "create", "-f", str(deployment))
    finally:
        cli.ok("online-endpoint", "delete", "-n", "faults", "--yes")

    assert "model gone version 1" in line and "missing" in line and "Fix:" in line
