"""Reuse as Azure does it: unchanged deterministic nodes reuse outputs; code edits rerun."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import result, statuses

from mlops.engine import create_job

pytestmark = pytest.mark.slow


def test_unchanged_nodes_are_reused_and_force_rerun_turns_it_off(pipelines: Path) -> None:
    first = create_job(pipelines / "nested.yml")
    second = create_job(pipelines / "nested.yml")

    assert set(statuses(second).values()) == {"Reused"}
    assert second["jobs"]["after"]["outputs"] == first["jobs"]["after"]["outputs"]
    assert second["jobs"]["after"]["reused_from"] == f"{first['name']}/after"

    forced = create_job(pipelines / "nested.yml", set_values=["settings.force_rerun=true"])
    assert set(statuses(forced).values()) == {"Completed"}
    assert forced["jobs"]["after"]["outputs"] != first["jobs"]["after"]["outputs"]


def test_a_changed_input_reruns_that_node_and_everything_downstream(pipelines: Path) -> None:
    create_job(pipelines / "nested.yml")
    changed = create_job(pipelines / "nested.yml", set_values=["jobs.inner.inputs.label=renamed"])

    assert statuses(changed) == {
        "before": "Reused",
        "inner/first": "Completed",
        "inner/second": "Completed",
        "after": "Completed",
    }


def test_editing_code_reruns_only_the_nodes_that_use_it(pipelines: Path) -> None:
    create_job(pipelines / "diamond.yml", set_values=["inputs.branch_seconds=0"])
    step = pipelines / "steps" / "step.py"
    step.write_text(step.read_text() + "\n# an edit\n")

    rerun = create_job(pipelines / "diamond.yml", set_values=["inputs.branch_seconds=0"])

    assert set(statuses(rerun).values()) == {"Completed"}
    assert Path(result(rerun, "start")["cwd"]).name == "wd"


def test_a_non_deterministic_component_always_runs(pipelines: Path) -> None:
    step = pipelines / "step.yml"
    step.write_text(
        step.read_text().replace("version: 1\n", "version: 1\nis_deterministic: false\n")
    )

    create_job(pipelines / "optional.yml")
    create_job(pipelines / "diamond.yml", set_values=["inputs.branch_seconds=0"])
    rerun = create_job(pipelines / "diamond.yml", set_values=["inputs.branch_seconds=0"])

    assert set(statuses(rerun).values()) == {"Completed"}
