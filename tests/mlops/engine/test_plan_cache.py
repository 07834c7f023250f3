"""The typed plan: plain data that survives JSON, cached by the content of what it was made from,
so that a rerun whose YAML did not change starts without importing azure-ai-ml."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from mlops.engine import planning
from mlops.errors import ProblemsFound
from mlops.plan.model import DataRef, Literal, Upstream
from mlops.plan.serial import plan_from_json, plan_to_json


def _no_fresh_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("the plan was made again instead of read from the cache")

    monkeypatch.setattr(planning, "_fresh_plan", refuse)


def test_plan_is_plain_data_that_survives_json(pipelines: Path) -> None:
    plan = planning.plan_job(pipelines / "diamond.yml", [{"inputs.branch_seconds": "0.5"}])

    assert plan_from_json(json.loads(json.dumps(plan_to_json(plan)))) == plan
    join = plan.nodes["join"]
    assert join.inputs["first"] == Upstream("left", "out")
    assert join.inputs["metric"] == Literal(True)
    assert plan.nodes["left"].inputs["sleep"] == Literal(0.5)
    assert join.code == str((pipelines / "steps").resolve())
    assert join.environment_reference == "engine_test@latest"  # as azure-ai-ml loads it
    assert join.is_deterministic is True
    assert plan.settings.default_compute == "cpu-cluster"
    assert plan.job is not None and plan.job.display_name == "diamond"


def test_unchanged_files_give_the_cached_plan(
    pipelines: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = planning.plan_job(pipelines / "diamond.yml", [])
    _no_fresh_plans(monkeypatch)

    cached = planning.plan_job(pipelines / "diamond.yml", [])
    assert cached == first
    assert list(cached.nodes) == list(first.nodes) == ["start", "left", "right", "join"]


@pytest.mark.parametrize(
    "change",
    ["component", "overrides", "job"],
)
def test_a_changed_file_or_override_plans_again(
    pipelines: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    planning.plan_job(pipelines / "diamond.yml", [])
    overrides: list[dict[str, str]] = []
    if change == "component":
        step = pipelines / "step.yml"
        step.write_text(step.read_text().replace("default: 0\n", "default: 2\n"))
    elif change == "job":
        job = pipelines / "diamond.yml"
        job.write_text(job.read_text().replace("branch_seconds: 1.5", "branch_seconds: 2.5"))
    else:
        overrides = [{"inputs.branch_seconds": "3"}]

    plan = planning.plan_job(pipelines / "diamond.yml", overrides)

    expected = {"component": Literal(2), "job": Literal(2.5), "overrides": Literal(3)}[change]
    node = "start" if change == "component" else "left"
    assert plan.nodes[node].inputs["sleep"] == expected


def test_a_component_edited_while_the_job_is_planned_is_seen_next_run(
    pipelines: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = pipelines / "step.yml"
    plan_fresh = planning._fresh_plan

    def plan_then_edit(*args: object) -> object:
        planned = plan_fresh(*args)  # read default 0; the user saves 2 before the plan is kept
        step.write_text(step.read_text().replace("default: 0\n", "default: 2\n"))
        return planned

    monkeypatch.setattr(planning, "_fresh_plan", plan_then_edit)
    first = planning.plan_job(pipelines / "diamond.yml", [])
    monkeypatch.setattr(planning, "_fresh_plan", plan_fresh)

    again = planning.plan_job(pipelines / "diamond.yml", [])

    assert first.nodes["start"].inputs["sleep"] == Literal(0)
    assert again.nodes["start"].inputs["sleep"] == Literal(2)


def test_a_broken_job_is_never_cached(pipelines: Path) -> None:
    job = pipelines / "diamond.yml"
    job.write_text(
        job.read_text().replace("label: left", "label: ${{parent.jobs.nope.outputs.out}}")
    )

    for _ in range(2):
        with pytest.raises(ProblemsFound, match="nope"):
            planning.plan_job(job, [])


def test_a_job_with_warnings_is_planned_afresh_each_run(
    pipelines: Path, caplog: pytest.LogCaptureFixture
) -> None:
    job = pipelines / "diamond.yml"
    job.write_text(job.read_text().replace("label: left", "label: left\n      nope: 1"))

    with caplog.at_level(logging.WARNING, logger="mlops.validation"):
        for _ in range(2):
            planning.plan_job(job, [])
    warned = [record for record in caplog.records if "unknown input 'nope'" in record.message]
    assert len(warned) == 2


def test_data_inputs_stay_as_written_for_the_run_to_resolve(tmp_path: Path) -> None:
    job = tmp_path / "job.yml"
    job.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
        "type: command\n"
        "command: echo ${{inputs.data}}\n"
        "environment: azureml:anything@latest\n"
        "compute: azureml:cpu-cluster\n"
        "inputs:\n"
        "  data:\n"
        "    type: uri_folder\n"
        "    path: azureml:raw@latest\n"
    )

    plan = planning.plan_job(job, [])

    assert plan.inputs["data"] == DataRef(
        "raw@latest", "uri_folder", None, str(tmp_path), "inputs.data"
    )
    assert plan.nodes["main"].inputs["data"] == plan.inputs["data"]


_WARM_RUN = """
import json, sys
from pathlib import Path
from mlops.engine import create_job
quiet = open("/dev/null", "w")
settings = ["inputs.branch_seconds=0"]
record = create_job(Path(sys.argv[1]), set_values=settings, progress_stream=quiet)
reused = [node for node, state in record["jobs"].items() if state["status"] == "Reused"]
azure = "azure.ai.ml" in sys.modules
print(json.dumps({"status": record["status"], "reused": reused, "azure": azure}))
"""


@pytest.mark.slow
def test_a_rerun_with_unchanged_yaml_does_not_import_azure_ai_ml(pipelines: Path) -> None:
    job = pipelines / "diamond.yml"
    runs = []
    for attempt in range(2):
        if attempt:  # code changed, YAML not: the node reruns, the plan is the cached one
            step = pipelines / "steps" / "step.py"
            step.write_text(step.read_text() + "\n# edited\n")
        done = subprocess.run(
            [sys.executable, "-c", _WARM_RUN, str(job)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout.splitlines()[-1]))

    assert runs == [
        {"status": "Completed", "reused": [], "azure": True},
        {"status": "Completed", "reused": [], "azure": False},
    ]


_REGISTERED = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu-cluster
jobs:
  from_store:
    type: command
    component: azureml:engine_test_step@latest
    inputs:
      label: registered
"""


def test_a_new_latest_version_of_a_registered_component_is_planned_again(
    pipelines: Path,
) -> None:
    from mlops.assets.components import create_component

    step = pipelines / "step.yml"
    create_component(step)
    job = pipelines / "registered.yml"
    job.write_text(_REGISTERED)
    first = planning.plan_job(job, [])
    step.write_text(
        step.read_text().replace("version: 1", "version: 2").replace("default: 0\n", "default: 4\n")
    )
    create_component(step)

    second = planning.plan_job(job, [])

    assert first.nodes["from_store"].inputs["sleep"] == Literal(0)
    assert second.nodes["from_store"].inputs["sleep"] == Literal(4)
    assert list(second.registered_components) == ["engine_test_step@latest"]


def test_the_job_record_reads_back_as_it_was_written() -> None:
    from mlops.engine.record import JobRecord

    stored = {
        "name": "job1",
        "type": "pipeline",
        "display_name": "job1",
        "experiment_name": "e",
        "description": None,
        "status": "Completed",
        "tags": {"a": "1"},
        "creation_context": {"created_at": "t", "created_by": "me"},
        "start_time": "t",
        "end_time": "t2",
        "duration_s": 1.5,
        "settings": {"default_compute": None},
        "inputs": {"alpha": 0.5},
        "outputs": {},
        "jobs": {
            "a": {
                "status": "Failed",
                "type": "command",
                "start_time": "t",
                "end_time": "t2",
                "duration_s": 1.0,
                "inputs": {"x": 1},
                "outputs": {"out": "/x"},
                "command": ["bash", "-c", "false"],
                "working_directory": "/wd",
                "log": "/log",
                "mlflow_run_id": "r",
                "reused_from": None,
                "exit_code": 1,
                "metrics": {},
                "tags": {},
                "environment": None,
                "message": "m",
                "log_tail": ["boom"],
            }
        },
        "properties": {"file": "f"},
        "services": {},
        "newer_field": [1],
    }

    assert JobRecord.from_json(stored).to_json() == stored
    assert list(JobRecord.from_json(stored).to_json()) == list(stored)
    assert list(JobRecord.from_json(stored).to_json()["jobs"]["a"]) == list(stored["jobs"]["a"])
