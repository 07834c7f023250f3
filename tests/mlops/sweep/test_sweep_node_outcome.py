"""A sweep node's outcome from its trials' (no engine): it fails when every trial failed or
when no trial logged the primary metric, since it then has no best trial's outputs to hand on;
and `job cancel` stops the trials a dead engine left running."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest

from mlops import jobstore as store
from mlops.engine import cancel_job
from mlops.engine.node import NodeState
from mlops.engine.plan import PlannedNode
from mlops.engine.sweeps.node import SweepNode, trial_of
from mlops.identity import identify

NODE = PlannedNode(
    id="tune",
    type="sweep",
    command="python t.py --x ${{inputs.x}} --model ${{outputs.model}}",
    code=None,
    environment=None,
    environment_reference=None,
    environment_conda=None,
    component_environment_variables={},
    is_deterministic=True,
    inputs={"x": None},
    outputs={"model": "uri_folder"},
    sweep={"objective": {"primary_metric": "score", "goal": "maximize"}},
)


def _finished(status: str) -> SweepNode:
    """A sweep node whose trials ended with `status` and left no best trial."""
    sweep = SweepNode.__new__(SweepNode)
    sweep.state = NodeState(NODE)
    sweep.runner = SimpleNamespace(best=lambda: None, trials=[], message=None)
    sweep.spec = SimpleNamespace(primary_metric="score")
    sweep.job = "j1"
    sweep.result = sweep._finish(status)
    return sweep


@pytest.mark.parametrize(
    ("trials_status", "message"),
    [
        ("Failed", "every trial failed"),
        ("Completed", "no trial logged the primary metric 'score'"),
    ],
)
def test_the_node_fails_without_a_best_trial(trials_status, message):
    sweep = _finished(trials_status)
    assert sweep.result == "Failed"
    assert sweep.state.message.startswith(message)
    assert sweep.state.outputs == {}
    assert f"ERROR: {message}" in store.log_path("j1", "tune").read_text()


def test_a_trial_binds_its_values_to_the_trials_inputs_and_sweep_variables():
    trial = trial_of(NODE, 2, {"x": 0.5})
    assert (trial.id, trial.type, trial.sweep) == ("tune/trial_2", "command", None)
    assert trial.inputs["x"].value == 0.5
    assert trial.environment_variables == {"AZUREML_SWEEP_x": "0.5"}


def test_cancel_stops_the_trials_a_dead_engine_left_running(mlops_home):
    """The engine records each running trial's process, as it does a node's; with the engine
    gone, `job cancel` stops the trial by it and records the trial Canceled."""
    trial = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        sweep = SweepNode.__new__(SweepNode)
        sweep.spec = SimpleNamespace(primary_metric="score")
        sweep.job = "orphan"
        running = NodeState(trial_of(NODE, 0, {"x": 0.5}), status="Running")
        running.process = identify(trial.pid).to_json()
        ended = NodeState(trial_of(NODE, 1, {"x": 1.5}), status="Completed")
        entries = [
            sweep._trial_entry(
                SimpleNamespace(
                    id=state.node.id,
                    state=state,
                    metric=None,
                    suggestion=SimpleNamespace(parameters={"x": state.node.inputs["x"].value}),
                )
            )
            for state in (running, ended)
        ]
        assert "process" in entries[0] and "process" not in entries[1]
        store.save(
            {
                "name": "orphan",
                "status": "Running",
                # No engine_pid: the engine that ran the job is gone.
                "properties": {},
                "jobs": {"tune": {"status": "Running", "type": "sweep", "trials": entries}},
            }
        )
        canceled = cancel_job("orphan")
        code = trial.wait(timeout=10)
    finally:
        trial.kill()
        trial.wait()
    assert code == -15  # SIGTERM, from cancel
    assert canceled["status"] == "Canceled"
    trials = store.load("orphan")["jobs"]["tune"]["trials"]
    assert [(t["name"], t["status"]) for t in trials] == [
        ("tune/trial_0", "Canceled"),
        ("tune/trial_1", "Completed"),
    ]
    assert "process" not in trials[0]
