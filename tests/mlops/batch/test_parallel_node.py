"""How the engine runs a parallel node: the spec node_command builds from the component, the
settings it refuses, and a node that exceeds its error threshold failing its job."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from tool_fixtures import PROJECT

from mlops.errors import MlopsError
from mlops.parallel import node_command
from mlops.parallel.spec import RunSpec
from mlops.validation import load_entity

COMPONENT = PROJECT / "components" / "score_batch.yml"
PIPELINES = Path(__file__).parent / "pipelines"


def fixture_component(tmp_path: Path, **changes) -> object:
    """The tiny project's score_batch component, with `changes` applied to its YAML."""
    document = yaml.safe_load(COMPONENT.read_text())
    document.update(changes)
    document["task"]["code"] = str(PROJECT / "src")
    path = tmp_path / "score_batch.yml"
    path.write_text(yaml.safe_dump(document))
    return load_entity(path, "component")


def test_node_command_runs_the_driver_on_the_components_settings(tmp_path: Path) -> None:
    component = load_entity(COMPONENT, "component")
    output = tmp_path / "predictions"
    output.mkdir()
    workdir = tmp_path / "wd"
    workdir.mkdir()

    argv = node_command(
        component,
        {"scoring_data": "/data/in", "model": "/models/m 1"},
        {"predictions": output},
        workdir,
    )

    assert argv[:3] == [sys.executable, "-m", "mlops.parallel.driver"]
    spec = RunSpec.load(Path(argv[-1]))
    assert spec.input_path == "/data/in"
    assert spec.script_arguments == ["--model", "/models/m 1"]
    assert spec.entry_script == str(PROJECT / "src" / "tiny" / "score_batch.py")
    assert (spec.mini_batch_size, spec.max_retries, spec.timeout_s) == (2, 2, 60.0)
    assert (spec.error_threshold, spec.mini_batch_error_threshold) == (10, 5)
    assert spec.workers == min(2, __import__("os").cpu_count())
    assert spec.append_row_to == str(output / "parallel_run_step.txt")
    assert spec.logging_level == "INFO"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "task": {
                    "type": "run_function",
                    "entry_script": "missing.py",
                    "environment": "azureml:env@latest",
                }
            },
            "entry_script missing.py is not in the code folder",
        ),
        (
            {"inputs": {"scoring_data": {"type": "mltable"}, "model": {"type": "mlflow_model"}}},
            "has no MLTable file",
        ),
    ],
)
def test_settings_the_local_runner_cannot_honour_are_refused(
    tmp_path: Path, changes: dict, message: str
) -> None:
    component = fixture_component(tmp_path, **changes)
    with pytest.raises(MlopsError, match=message):
        node_command(
            component, {"scoring_data": "/in", "model": "/m"}, {"predictions": tmp_path}, tmp_path
        )


@pytest.mark.slow
def test_a_node_over_its_error_threshold_fails_its_job(mlops_home: Path) -> None:
    from mlops.engine import create_job
    from mlops.jobstore import log_path

    job = create_job(PIPELINES / "fails_over_threshold.yml")

    assert job["status"] == "Failed"
    assert job["jobs"]["score"]["status"] == "Failed"
    log = log_path(job["name"], "score").read_text()
    assert "ValueError: cannot score bad.csv" in log
    assert "2 failed items exceed error_threshold 0" not in log
    assert "1 failed items exceed error_threshold 0" in log
    output = Path(job["jobs"]["score"]["outputs"]["rows"])
    assert not (output / "parallel_run_step.txt").exists()
    assert len(list(output.glob("attempt-bad.csv-*"))) == 2
