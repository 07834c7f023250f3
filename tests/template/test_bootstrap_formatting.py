"""`mlops bootstrap` formats the renamed Python files with ruff, so a name of another length
leaves a tree that passes the project's lint and format checks; without ruff it says so."""

from __future__ import annotations

import subprocess

import pytest
from template_copy import copy_repository, run_in

from mlops.bootstrap.plan import plan_changes

pytestmark = pytest.mark.slow


# Shorter and longer than the sample's 19 characters: line breaks move, ruff format puts them back.
# (26 characters, the longest name, passes too once tests/mlops stop naming the sample.)
@pytest.mark.parametrize("name", ["ltv", "customer_churn_forecast"])
def test_the_renamed_tree_passes_lint_and_format_checks(
    tmp_path_factory: pytest.TempPathFactory, name: str
):
    from ruff.__main__ import find_ruff_bin

    copy = copy_repository(tmp_path_factory.mktemp(name))
    result = run_in(copy, "-m", "mlops", "bootstrap", "-n", name)
    assert result.returncode == 0, result.stderr
    for check in (["check", "--output-format", "concise", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [str(find_ruff_bin()), *check], cwd=copy, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"ruff {' '.join(check)}:\n{done.stdout}{done.stderr}"


def test_without_ruff_the_renamed_text_is_kept_and_said(clean_copy, monkeypatch):
    from mlops.bootstrap import formatting

    changes = plan_changes(clean_copy, "customer_churn_predictor")
    monkeypatch.setattr(formatting, "ruff_command", lambda: None)
    assert formatting.format_python(clean_copy, changes) == (changes, False)
    monkeypatch.undo()
    formatted, found = formatting.format_python(clean_copy, changes)
    assert found is True
    assert [change.new_text for change in formatted] != [change.new_text for change in changes]
