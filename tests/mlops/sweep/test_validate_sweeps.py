"""`mlops validate`'s checks of sweep files, on the tool's fixture sweep."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops.validation import load_entity
from mlops.validation.sweeps import sweep_problems

FIXTURE = Path(__file__).parent / "fixture"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "s", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "s"


def _edited(path: Path, old: str, new: str) -> Path:
    """`path` with `old` (which must be there) replaced by `new`; unchanged when `old` is ""."""
    if old:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    return path


def _problems(folder: Path, old: str = "", new: str = "") -> list[str]:
    path = _edited(folder / "sweep.yml", old, new)
    return [f"{p.line}: {p.field}: {p.message}" for p in sweep_problems(load_entity(path), path)]


def test_the_fixture_sweep_has_no_problem(folder):
    assert _problems(folder) == []


def test_grid_over_a_non_choice_expression_is_named_with_its_line(folder):
    problems = _problems(
        folder,
        "    type: choice\n    values: [1, 3, 5]",
        "    type: uniform\n    min_value: 1\n    max_value: 5",
    )
    assert len(problems) == 1
    assert problems[0].startswith("25: search_space.x: grid sampling takes choice")


def test_reversed_bounds_and_a_missing_q_are_named(folder):
    reversed_bounds = "    type: uniform\n    min_value: 5\n    max_value: 1"
    found = _problems(folder, "    type: choice\n    values: [1, 3, 5]", reversed_bounds)
    assert any("search_space.x: min_value is above max_value" in p for p in found)


def test_unknown_and_unused_hyperparameters_are_named(folder):
    found = _problems(folder, "${{search_space.kind}}", "${{search_space.knd}}")
    assert any("trial.command: ${{search_space.knd}} names no hyperparameter" in p for p in found)
    assert any("search_space.kind: the trial's command never uses it" in p for p in found)


def test_a_primary_metric_the_code_never_names(folder):
    found = _problems(folder, "primary_metric: score", "primary_metric: val_auc")
    assert len(found) == 1 and "'val_auc' appears nowhere in the trial's code" in found[0]


def _node_problems(folder: Path, old: str = "", new: str = "") -> list[str]:
    from mlops.validation import check_job

    path = _edited(folder / "pipeline.yml", old, new)
    return [f"{p.line}: {p.field}: {p.message}" for p in check_job(path)[1]]


def test_a_sweep_nodes_outputs_are_its_trials_so_binding_them_downstream_is_fine(folder):
    assert _node_problems(folder) == []


def test_a_sweep_node_hyperparameter_the_trial_does_not_declare_is_named(folder):
    problems = _node_problems(
        folder, "      x:\n        type: choice", "      y:\n        type: choice"
    )
    assert problems == [
        "26: jobs.tune.search_space.y: the trial has no input 'y' for it to set "
        "(inputs: fail_above, kind, pause, x)"
    ]


def test_a_sweep_nodes_output_that_the_trial_lacks_is_named_downstream(folder):
    problems = _node_problems(folder, "outputs.model}}\n", "outputs.weights}}\n")
    assert len(problems) == 1
    assert "job tune has no output 'weights' (it has: model)" in problems[0]


def test_a_sweep_node_value_outside_the_trials_input_bounds_is_named(folder):
    problems = _node_problems(folder, "values: [1, 3, 5]", "values: [1, -3, five]")
    assert len(problems) == 2
    assert all(p.startswith("26: jobs.tune.search_space.x: the value ") for p in problems)
    assert "-3" in problems[0] and "'five'" in problems[1]
