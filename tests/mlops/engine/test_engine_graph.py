"""Dependency order, parallel branches, nested pipelines, optional inputs and --set."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import result, statuses

from mlops.engine import create_job

pytestmark = pytest.mark.slow


def test_independent_branches_run_at_the_same_time_and_join_waits_for_both(pipelines: Path) -> None:
    record = create_job(pipelines / "diamond.yml", max_parallel=2)

    assert record["status"] == "Completed"
    left, right, join = (result(record, node) for node in ("left", "right", "join"))
    assert left["start"] < right["end"] and right["start"] < left["end"], "branches did not overlap"
    assert join["start"] >= max(left["end"], right["end"])
    assert result(record, "left")["upstream"] == ["start"]
    assert join["upstream"] == ["left", "right"]


def test_max_parallel_one_runs_the_branches_one_after_the_other(pipelines: Path) -> None:
    record = create_job(
        pipelines / "diamond.yml", max_parallel=1, set_values=["inputs.branch_seconds=0.2"]
    )

    left, right = result(record, "left"), result(record, "right")
    assert left["end"] <= right["start"] or right["end"] <= left["start"]


def test_nested_pipeline_component_runs_its_nodes_with_the_outer_bindings(pipelines: Path) -> None:
    record = create_job(pipelines / "nested.yml")

    assert statuses(record) == {
        "before": "Completed",
        "inner/first": "Completed",
        "inner/second": "Completed",
        "after": "Completed",
    }
    assert result(record, "inner/first") == result(record, "inner/first") | {
        "label": "inner_first",
        "upstream": ["before"],
    }
    assert result(record, "after")["upstream"] == ["inner_second"]


def test_optional_input_unset_drops_its_block_and_set_fills_it(pipelines: Path) -> None:
    unset = create_job(pipelines / "optional.yml")
    echoed = Path(unset["outputs"]["echoed"]["path"]).read_text()
    assert echoed.strip() == "--text hello --count 1 --flag True"

    given = create_job(
        pipelines / "optional.yml",
        set_values=[
            "jobs.echo.inputs.extra=more",
            "inputs.text=bye",
            "jobs.echo.inputs.flag=false",
        ],
    )
    echoed = Path(given["outputs"]["echoed"]["path"]).read_text()
    assert echoed.strip() == "--text bye --count 1 --flag False --extra more"


def test_set_changes_tags_display_name_and_settings(pipelines: Path) -> None:
    record = create_job(
        pipelines / "optional.yml",
        set_values=["tags.build_id=42", "display_name=nightly", "experiment_name=other"],
        name="my_named_job",
    )

    assert (record["name"], record["display_name"], record["experiment_name"]) == (
        "my_named_job",
        "nightly",
        "other",
    )
    assert record["tags"] == {"build_id": "42"}


def test_registered_components_and_inline_command_nodes_run(pipelines: Path) -> None:
    from mlops.assets.components import create_component

    create_component(pipelines / "step.yml")
    (pipelines / "registered.yml").write_text(
        """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
experiment_name: engine_tests
settings:
  default_compute: azureml:cpu-cluster
jobs:
  from_store:
    type: command
    component: azureml:engine_test_step:1
    inputs:
      label: registered
  inline:
    type: command
    command: echo ${{inputs.word}} ${{inputs.count}} > ${{outputs.copy}}/copy.txt
    environment: azureml:engine_test@latest
    inputs:
      word: inline
      count: 3
    outputs:
      copy:
        type: uri_folder
"""
    )

    record = create_job(pipelines / "registered.yml")

    assert statuses(record) == {"from_store": "Completed", "inline": "Completed"}
    copy = Path(record["jobs"]["inline"]["outputs"]["copy"]) / "copy.txt"
    assert copy.read_text() == "inline 3\n"
    assert result(record, "from_store")["label"] == "registered"


def test_a_standalone_command_job_runs_as_one_node_and_is_never_reused(pipelines: Path) -> None:
    first = create_job(pipelines / "command_job.yml")
    again = create_job(pipelines / "command_job.yml")

    assert (first["type"], statuses(first)) == ("command", {"main": "Completed"})
    assert result(first, "main")["label"] == "standalone"
    assert result(first, "main")["upstream"] == ["seed"]
    assert Path(first["outputs"]["out"]["path"]) == Path(first["jobs"]["main"]["outputs"]["out"])
    assert statuses(again) == {"main": "Completed"}
