"""`mlops bootstrap` refuses a bad name or a dirty tree, and a failure midway puts every file
back: each leaves the template copy as it was.

`mlops bootstrap` runs in-process here (click's CliRunner, in the copy's folder): the copy's
mlops is this checkout's, so the same code runs as in a subprocess, without a Python start-up
and import per call. test_bootstrap.py runs the command as a user's shell does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from template_copy import git, tree_digest

from mlops.bootstrap import apply
from mlops.bootstrap.plan import plan_changes
from mlops.cli import main

pytestmark = pytest.mark.slow

NAME = "churn_model"


def bootstrap_in(root: Path, *args: str) -> Result:
    """`mlops bootstrap ARGS` run in `root`, in-process."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return CliRunner().invoke(main, ["bootstrap", *args])


def test_dry_run_lists_files_and_lines_and_changes_nothing(clean_copy):
    result = bootstrap_in(clean_copy, "-n", NAME, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "src/diabetes_regression/data.py -> src/churn_model/data.py" in result.stdout
    assert "3: - name: diabetes_regression_train_model" in result.stdout
    assert "3: + name: churn_model_train_model" in result.stdout
    assert "would change" in result.stderr
    assert git(clean_copy, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Churn", "lowercase letters, digits and underscores"),
        ("1churn", "starting with a letter"),
        ("ab", "3-26 characters"),
        ("a" * 27, "3-26 characters"),
        ("churn-model", "lowercase letters, digits and underscores"),
        ("churn__model", "lowercase letters, digits and underscores"),
        ("churn_", "ending with a letter or digit"),
        ("class", "Python keyword"),
        ("json", "standard module"),
        ("tests", "folder here"),
        ("numpy", "already an installed module"),
        ("my_diabetes_regression", "contains the sample's name"),
    ],
)
def test_a_bad_name_is_refused_with_its_rule_and_changes_nothing(clean_copy, name, rule):
    result = bootstrap_in(clean_copy, "-n", name)
    assert result.exit_code == 2
    assert rule in result.stderr and "Traceback" not in result.stderr
    assert git(clean_copy, "status", "--porcelain") == ""


def test_a_dirty_tree_is_refused_and_left_as_it_was(clean_copy):
    readme = clean_copy / "README.md"
    original = readme.read_text()
    readme.write_text(original + "\nwork in progress\n")
    try:
        result = bootstrap_in(clean_copy, "-n", NAME)
        assert result.exit_code == 1
        assert "uncommitted changes" in result.stderr and "--force" in result.stderr
        assert git(clean_copy, "status", "--porcelain") == " M README.md\n"
    finally:
        readme.write_text(original)


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_midway_puts_every_file_back(clean_copy, monkeypatch, error):
    before = tree_digest(clean_copy)
    changes = plan_changes(clean_copy, NAME)
    write_file = apply.write_file
    calls = []

    def fail_midway(path: Path, data: bytes, mode: int) -> None:
        calls.append(path)
        if len(calls) == len(changes) // 2:
            raise error
        write_file(path, data, mode)

    monkeypatch.setattr(apply, "write_file", fail_midway)
    with pytest.raises(type(error)):
        apply.apply_changes(clean_copy, changes)
    monkeypatch.undo()
    assert tree_digest(clean_copy) == before
    assert git(clean_copy, "status", "--porcelain") == ""
    assert not (clean_copy / "src" / NAME).exists()
