"""A sweep node's outcome from its trials' (no process): it fails when every trial failed or
when no trial logged the primary metric, since it then has no best trial's outputs to hand on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mlops import jobstore as store
from mlops.engine.node import NodeState
from mlops.engine.plan import PlannedNode
from mlops.engine.sweeps.node import SweepNode, trial_of

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
