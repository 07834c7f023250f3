"""The trial runner's limits with no engine around it: the sweep's `timeout` stops the running
trials (each `Canceled` with the reason) and starts no more, as Azure ends a sweep on time."""

from __future__ import annotations

import subprocess
import time
from types import SimpleNamespace

from mlops.engine.node import NodeState
from mlops.engine.plan import PlannedNode
from mlops.engine.sweeps.trials import Trial, TrialRunner

NODE = PlannedNode(
    id="trial_0",
    type="command",
    command="sleep 30",
    code=None,
    environment=None,
    environment_reference=None,
    environment_conda=None,
    component_environment_variables={},
    is_deterministic=False,
    inputs={},
    outputs={},
)


class _Sampler:
    def __init__(self) -> None:
        self.suggested = 0
        self.told: list[float | None] = []

    def suggest(self) -> None:
        self.suggested += 1

    def tell(self, _suggestion: object, metric: float | None) -> None:
        self.told.append(metric)


def test_the_sweeps_timeout_stops_the_running_trials_and_starts_no_more(mlops_home):
    limits = SimpleNamespace(
        timeout=0.5, max_concurrent_trials=2, max_total_trials=4, trial_timeout=None
    )
    spec = SimpleNamespace(limits=limits, primary_metric="score", maximize=True, policy=None)
    runs = SimpleNamespace(history=lambda *_: [0.5], finish=lambda *_: None)
    sampler = _Sampler()
    runner = TrialRunner("j1", spec, sampler, None, runs, lambda _runner: None)  # type: ignore[arg-type]
    process = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        state = NodeState(NODE, status="Running", start_time=time.time(), run_id="r0")
        runner.trials.append(Trial(0, SimpleNamespace(parameters={"x": 1}), state))  # type: ignore[arg-type]
        runner._processes["trial_0"] = (process, open("/dev/null", "rb"))  # noqa: SIM115
        runner._started = time.time() - 1.0
        status = runner.step()
    finally:
        process.kill()
        process.wait()
    assert status == "Failed"  # no trial completed
    assert runner.message == "the sweep's timeout (0.5 s) was reached"
    assert (state.status, state.message) == ("Canceled", runner.message)
    assert process.returncode == -15  # SIGTERM from the runner, before the kill above
    assert sampler.suggested == 0 and sampler.told == [None]  # a stopped trial teaches nothing
