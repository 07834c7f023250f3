"""`mlops bootstrap` on a copy of the template: everything renamed, and the result works.

The refusals and the all-or-nothing rollback are in test_bootstrap_refusals.py, the formatting of
renamed code in test_bootstrap_formatting.py: separate files, so pytest-xdist (whole files per
worker) runs them beside this one. That a renamed project passes its own tests, trains and
registers its renamed model is what the guide walks (test_walkthrough_*.py) prove, on a copy
bootstrapped and then edited as a user would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from template_copy import copy_repository, run_in, tree_digest

from mlops.bootstrap.plan import EXEMPT

pytestmark = pytest.mark.slow

NAME = "churn_model"
SAMPLE_SPELLINGS = ("diabetes_regression", "diabetes-regression")


@pytest.fixture(scope="module")
def bootstrapped(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess]:
    copy = copy_repository(tmp_path_factory.mktemp("bootstrapped"))
    return copy, run_in(copy, "-m", "mlops", "bootstrap", "-n", NAME)


def test_every_mention_of_the_sample_is_renamed(bootstrapped):
    copy, result = bootstrapped
    assert result.returncode == 0, result.stderr
    pattern = [argument for spelling in SAMPLE_SPELLINGS for argument in ("-e", spelling)]
    found = subprocess.run(
        ["git", "grep", "-n", "-I", *pattern, "--", ".", *(f":!{path}" for path in EXEMPT)],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.stdout == ""
    assert not [path for path in tree_digest(copy) if "diabetes_regression" in path.split("/")]


def test_each_name_takes_its_targets_form(bootstrapped):
    copy, _ = bootstrapped
    assert (copy / "src" / NAME / "train_model.py").is_file()
    assert not (copy / "src" / "diabetes_regression").exists()
    assert "name: churn_model_train_model" in (copy / "components" / "train_model.yml").read_text()
    assert "name: churn-model\n" in (copy / "endpoints" / "online" / "endpoint.yml").read_text()
    assert "name: churn-model-batch" in (copy / "endpoints" / "batch" / "endpoint.yml").read_text()
    assert 'name = "churn-model"' in (copy / "pyproject.toml").read_text()
    assert "python -m churn_model.smoke_test" in (copy / "Makefile").read_text()
    assert "from churn_model.data import" in (copy / "src" / NAME / "prep_data.py").read_text()
    assert (copy / "scripts" / "rollout.sh").stat().st_mode & 0o111
    assert (copy / "data" / "diabetes" / "diabetes.csv").is_file()


def test_the_renamed_project_validates_clean(bootstrapped):
    copy, _ = bootstrapped
    result = run_in(copy, "-m", "mlops", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_running_it_again_changes_nothing(bootstrapped):
    copy, _ = bootstrapped
    before = tree_digest(copy)
    again = run_in(copy, "-m", "mlops", "bootstrap", "-n", NAME)
    assert again.returncode == 0, again.stderr
    assert "already bootstrapped" in again.stdout
    bad = run_in(copy, "-m", "mlops", "bootstrap", "-n", "Churn")
    assert bad.returncode == 2 and "not a valid project name" in bad.stderr
    assert tree_digest(copy) == before
