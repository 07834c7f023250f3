"""`mlops job create` on sweep files: trials as child runs, the best trial's outputs, failures,
early termination on intermediate values, timeouts and cancel. Trials run the tool's own tiny
trial (fixture/src/trial.py); each sweep is a handful of trials."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops import jobstore as store
from mlops.cli import main as cli
from mlops.engine import cancel_job, create_job
from mlops.engine.sweeps import job as sweep_job
from mlops.errors import ProblemsFound

FIXTURE = Path(__file__).parent / "fixture"

pytestmark = pytest.mark.slow


@pytest.fixture
def sweep_dir(tmp_path: Path, mlops_home: Path) -> Path:
    target = tmp_path / "sweep"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _edit(folder: Path, old: str, new: str, name: str = "sweep.yml") -> Path:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def _statuses(record: dict) -> dict[str, str]:
    return {name: trial["status"] for name, trial in record["jobs"].items()}


def test_a_grid_sweep_runs_every_point_and_hands_on_the_best_trial(sweep_dir, monkeypatch):
    """Grid over 4 points, 2 at once; x=5 fails and the sweep still completes."""
    monkeypatch.chdir(sweep_dir)
    _edit(sweep_dir, "values: [1, 3, 5]", "values: [3, 5]")
    _edit(sweep_dir, "--model ${{outputs.model}}", "--model ${{outputs.model}} --fail-above 4")
    result = CliRunner().invoke(cli, ["job", "create", "-f", "sweep.yml", "--name", "grid1"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["type"] == "sweep" and record["status"] == "Completed"
    points = {(t["parameters"]["x"], t["parameters"]["kind"]) for t in record["jobs"].values()}
    assert points == {(3, "a"), (3, "b"), (5, "a"), (5, "b")}
    failed = {n for n, t in record["jobs"].items() if t["status"] == "Failed"}
    assert {record["jobs"][n]["parameters"]["x"] for n in failed} == {5}
    best = record["best_trial"]
    assert best["parameters"] == {"x": 3, "kind": "b"} and best["metric"] == 1.0
    # The sweep's output is the best trial's output.
    model = Path(record["outputs"]["model"]["path"])
    assert json.loads((model / "params.json").read_text()) == {"x": 3.0, "kind": "b"}
    assert store.output_path("grid1", "model") == model  # azureml://jobs/grid1/outputs/model
    assert "Best trial: " + best["name"] in result.stderr
    # Trials are child runs of the sweep's run, with the hyperparameters as tags.
    from mlops import tracking

    client = tracking.client()
    run = client.get_run(best["mlflow_run_id"])
    assert run.data.tags["mlflow.parentRunId"] == record["properties"]["mlflow.runId"]
    assert run.data.tags["hyperparameter.kind"] == "b"
    parent = client.get_run(record["properties"]["mlflow.runId"])
    assert parent.data.metrics["score"] == 1.0
    shown = json.loads(CliRunner().invoke(cli, ["job", "show", "-n", "grid1"]).stdout)
    assert shown["best_trial"]["name"] == best["name"]
    assert shown["properties"]["best_child_run_id"] == best["mlflow_run_id"]


def test_bandit_stops_a_trial_that_falls_behind_and_every_failure_fails_the_sweep(sweep_dir):
    """One at a time: trial_0 (x=3) finishes; trial_1 (x=1, 4 below) is stopped by bandit."""
    path = _edit(sweep_dir, "values: [1, 3, 5]", "values: [3, 1]")
    _edit(sweep_dir, "values: [a, b]", "values: [a]")
    _edit(
        sweep_dir,
        "limits:",
        "early_termination:\n  type: bandit\n  slack_amount: 0.5\n  delay_evaluation: 2\nlimits:",
    )
    record = create_job(
        path,
        set_values=["inputs.steps=8", "inputs.pause=0.4", "limits.max_concurrent_trials=1"],
        progress_stream=io.StringIO(),
    )
    assert _statuses(record) == {"trial_0": "Completed", "trial_1": "Canceled"}
    stopped = record["jobs"]["trial_1"]
    assert stopped["message"] == "early termination: bandit policy"
    assert 2 <= len(stopped["intermediate_values"]) < 8
    assert record["status"] == "Completed" and record["best_trial"]["name"] == "trial_0"

    _edit(sweep_dir, "--model ${{outputs.model}}", "--model ${{outputs.model}} --fail-above 0")
    failed = create_job(path, progress_stream=io.StringIO())
    assert set(_statuses(failed).values()) == {"Failed"}
    assert failed["status"] == "Failed" and failed["best_trial"] is None
    assert "failing as asked" in "\n".join(failed["jobs"]["trial_0"]["log_tail"])


def test_trial_timeout_and_cancel_stop_running_trials(sweep_dir, monkeypatch):
    path = _edit(sweep_dir, "max_total_trials: 6", "max_total_trials: 2\n  trial_timeout: 1")
    # azure-ai-ml rounds timeouts up to whole minutes, as Azure takes them; a one-second trial
    # timeout is set on the parsed limits so the test need not wait a minute.
    parse_spec = sweep_job.parse_spec

    def one_second(document, cores=None):
        assert document["limits"]["trial_timeout"] == 60
        spec = parse_spec(document, cores)
        return dataclasses.replace(spec, limits=dataclasses.replace(spec.limits, trial_timeout=1))

    monkeypatch.setattr(sweep_job, "parse_spec", one_second)
    record = create_job(path, set_values=["inputs.pause=30"], progress_stream=io.StringIO())
    assert set(_statuses(record).values()) == {"Canceled"}
    assert record["jobs"]["trial_0"]["message"] == "the trial timeout (1 s) was reached"
    assert record["jobs"]["trial_0"]["duration_s"] < 15
    assert record["status"] == "Failed"
    monkeypatch.setattr(sweep_job, "parse_spec", parse_spec)  # not undo(): MLOPS_HOME stays

    _edit(sweep_dir, "  trial_timeout: 1\n", "")
    finished: dict = {}
    runner = threading.Thread(
        target=lambda: finished.update(
            create_job(
                path,
                name="tocancel",
                set_values=["inputs.pause=30"],
                progress_stream=io.StringIO(),
            )
        )
    )
    runner.start()
    deadline = time.time() + 120
    while time.time() < deadline:
        # The job's folder is made before its first record is written: wait for the record.
        started = (store.job_folder("tocancel") / store.STATE_FILE).is_file()
        if started and "Running" in _statuses(store.load("tocancel")).values():
            break
        time.sleep(0.1)
    cancel_job("tocancel")
    runner.join(timeout=60)
    assert finished["status"] == "Canceled"
    assert set(_statuses(finished).values()) == {"Canceled"}


def test_a_search_space_name_the_command_lacks_is_refused_before_anything_runs(sweep_dir):
    path = _edit(sweep_dir, "${{search_space.kind}}", "${{search_space.knd}}")
    with pytest.raises(ProblemsFound, match=r"search_space\.knd.*names no hyperparameter"):
        create_job(path)
    assert store.all_records() == []
