"""A pipeline's `type: sweep` node (fixture/pipeline.yml): its trials run as child jobs, the
downstream node reads the best trial's output, and a failing trial does not fail the node. One
pipeline run, asserted on all of it; trials are the tool's own tiny trial (fixture/src/trial.py)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from mlops.engine import create_job
from mlops.validation import validate_paths

FIXTURE = Path(__file__).parent / "fixture"

pytestmark = pytest.mark.slow


@pytest.fixture
def folder(tmp_path: Path, mlops_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "sweep"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(target)
    return target


def test_the_next_node_reads_the_best_trials_output_and_a_failed_trial_is_tolerated(folder):
    """Grid x in 1, 3, 5 with kind b: x=5 fails (fail_above 4), x=3 scores best (1.0)."""
    assert validate_paths([folder / "pipeline.yml"]) == []
    record = create_job(folder / "pipeline.yml", name="node1", progress_stream=io.StringIO())
    assert record["status"] == "Completed"
    tune, consume = record["jobs"]["tune"], record["jobs"]["consume"]
    assert tune["type"] == "sweep" and tune["status"] == "Completed"
    by_x = {trial["parameters"]["x"]: trial for trial in tune["trials"]}
    statuses = {x: trial["status"] for x, trial in by_x.items()}
    assert statuses == {1: "Completed", 3: "Completed", 5: "Failed"}
    assert tune["best_trial"] == by_x[3]["name"] == "tune/trial_1"
    assert tune["metrics"] == {"score": 1.0}
    # The node's output is the best trial's, and the next node read it (by value).
    assert tune["outputs"]["model"].endswith("tune/trial_1/outputs/model")
    copied = Path(consume["outputs"]["copy"]) / "params.json"
    assert json.loads(copied.read_text()) == {"x": 3.0, "kind": "b"}
    assert record["outputs"]["best_model"]["path"] == tune["outputs"]["model"]
    # Trials are child runs of the sweep node's run, as in Azure's studio.
    from mlops import tracking

    trial_run = tracking.client().get_run(by_x[3]["mlflow_run_id"])
    assert trial_run.data.tags["mlflow.parentRunId"] == tune["mlflow_run_id"]
    assert trial_run.data.tags["hyperparameter.x"] == "3"
