"""Run a sweep's trials: each a process of its own and a child MLflow run of the sweep,
`max_concurrent_trials` at a time, stopped by the early termination policy, the trial timeout,
the sweep's timeout or a cancel, as Azure ML runs a sweep's trials."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from mlops import jobstore as store
from mlops.engine.node import (
    NodeState,
    SnapshotCache,
    argv,
    code_folder,
    environment,
    fresh_outputs,
    input_values,
    prepare_environment,
    working_folder,
)
from mlops.engine.plan import PlannedNode
from mlops.engine.runs import JobRuns
from mlops.identity import identify
from mlops.sweep.samplers import Sampler, Suggestion
from mlops.sweep.spec import SweepSpec
from mlops.sweep.termination import to_stop

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.05
# How often the running trials' intermediate metric values are read from the store: each read
# is a query per running trial (~1 ms of CPU); a policy sees every value at its next read.
_METRIC_SECONDS = 0.5
_KILL_GRACE_SECONDS = 5.0


@dataclass
class Trial:
    """One trial: its parameters, its node's state and the primary metric values it logged."""

    index: int
    suggestion: Suggestion
    state: NodeState
    history: list[float] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The trial's node id, `trial_<index>`."""
        return self.state.node.id

    @property
    def metric(self) -> float | None:
        """The last primary metric value the trial logged (what the sweep ranks by)."""
        return self.history[-1] if self.history else None


class TrialRunner:
    """Runs every trial of one sweep to its end."""

    def __init__(
        self,
        name: str,
        spec: SweepSpec,
        sampler: Sampler,
        make_node: Callable[[int, dict[str, Any]], PlannedNode],
        runs: JobRuns,
        changed: Callable[[TrialRunner], None],
        states: dict[str, NodeState] | None = None,
    ) -> None:
        self.name = name
        self.spec = spec
        self.sampler = sampler
        self.make_node = make_node
        self.runs = runs
        self.changed = changed
        self.trials: list[Trial] = []
        self.message: str | None = None
        self.cache = SnapshotCache()
        self._processes: dict[str, tuple[subprocess.Popen[bytes], IO[bytes]]] = {}
        self._checked: dict[str, int] = {}
        self._exhausted = False
        self._last_read = 0.0
        self._started: float | None = None
        # The pipeline's node states, whose outputs a sweep node's trials read.
        self.states = states or {}
        # Looked at every 50 ms: resolved once, as the pipeline engine does.
        self._cancel_file = store.job_folder(name) / store.CANCEL_FILE

    def run(self) -> str:
        """Run the trials to the end; returns the sweep's status (see `step`)."""
        try:
            while (status := self.step()) is None:
                time.sleep(_POLL_SECONDS)
        except KeyboardInterrupt:
            self.cancel()
            raise
        return status

    def step(self) -> str | None:
        """Start, watch and stop trials once; None while trials run or remain to start.

        A pipeline's engine calls this between its own nodes' polls, so a sweep node needs no
        thread of its own. The final status is Completed when at least one trial completed,
        Failed when every trial failed, Canceled when the job was canceled (`mlops job cancel`).
        """
        if self._started is None:
            self._started = time.time()
        limits = self.spec.limits
        if self._cancel_file.exists():
            self.cancel()
            return "Canceled"
        if limits.timeout and time.time() - self._started > limits.timeout:
            self.message = f"the sweep's timeout ({limits.timeout:g} s) was reached"
            self._stop_all(self.message)
            return self._outcome()
        self._start_more()
        if not self._processes:
            return self._outcome()
        self._poll()
        self._read_metrics()
        self._terminate_early()
        self._time_out_trials()
        return None

    def cancel(self) -> None:
        """Stop every running trial (Ctrl-C, SIGTERM, a canceled job)."""
        self._stop_all("the sweep was canceled")

    def _outcome(self) -> str:
        statuses = {trial.state.status for trial in self.trials}
        return "Completed" if "Completed" in statuses or not self.trials else "Failed"

    def running(self) -> list[Trial]:
        """The trials whose process runs."""
        return [trial for trial in self.trials if trial.id in self._processes]

    def best(self) -> Trial | None:
        """The completed trial with the best primary metric (the first one on a tie)."""
        scored = [t for t in self.trials if t.state.status == "Completed" and t.metric is not None]
        if not scored:
            return None
        sign = 1.0 if self.spec.maximize else -1.0
        return max(scored, key=lambda t: (sign * t.metric, -t.index))  # type: ignore[operator]

    def _start_more(self) -> None:
        limits = self.spec.limits
        while (
            not self._exhausted
            and len(self._processes) < limits.max_concurrent_trials
            and len(self.trials) < limits.max_total_trials
        ):
            suggestion = self.sampler.suggest()
            if suggestion is None:
                self._exhausted = True
                return
            index = len(self.trials)
            trial = Trial(
                index, suggestion, NodeState(self.make_node(index, suggestion.parameters))
            )
            self.trials.append(trial)
            self._start(trial)

    def _start(self, trial: Trial) -> None:
        state, node = trial.state, trial.state.node
        state.start_time = time.time()
        log = store.log_path(self.name, node.id)
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            values = input_values(state, self.states, self.cache)
            folder = code_folder(node)
            snapshot_folder = self.cache.code(folder)[0] if folder else None
            prepare_environment(node)
            state.outputs = fresh_outputs(self.name, node)
            workdir = state.workdir = working_folder(self.name, node, snapshot_folder)
            process_argv = state.argv = argv(node, values, state.outputs, workdir)
        except Exception as error:  # a trial that cannot start fails; the sweep goes on
            log.write_text(f"The trial could not start: {error}\n", encoding="utf-8")
            self._finish(trial, "Failed")
            return
        state.run_id = self.runs.child(
            node.id,
            {
                "azureml.sweep.trial": str(trial.index),
                **{f"hyperparameter.{k}": str(v) for k, v in trial.suggestion.parameters.items()},
            },
        )
        variables = self.runs.environment(state.run_id)
        variables.update(
            {
                "AZUREML_RUN_ID": f"{self.name}_{trial.index}",
                "AZUREML_ROOT_RUN_ID": self.name,
                "AZUREML_PARENT_RUN_ID": self.name,
                "AZUREML_EXPERIMENT_NAME": self.runs.experiment_name,
            }
        )
        handle = log.open("ab")
        process = subprocess.Popen(
            process_argv,
            cwd=workdir,
            env=environment(node, variables),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processes[node.id] = (process, handle)
        started = identify(process.pid)
        state.process = started.to_json() if started else None
        state.status = "Running"
        self.changed(self)

    def _poll(self) -> None:
        for trial in self.running():
            process, handle = self._processes[trial.id]
            code = process.poll()
            if code is None:
                continue
            handle.close()
            del self._processes[trial.id]
            trial.state.exit_code = code
            self._finish(trial, "Completed" if code == 0 else "Failed")

    def _read_metrics(self) -> None:
        if time.time() - self._last_read < _METRIC_SECONDS:
            return
        self._last_read = time.time()
        before = [len(t.history) for t in self.trials]
        for trial in self.running():
            if trial.state.run_id:
                trial.history = self.runs.history(trial.state.run_id, self.spec.primary_metric)
        if before != [len(t.history) for t in self.trials]:
            self.changed(self)

    def _terminate_early(self) -> None:
        policy = self.spec.policy
        if policy is None:
            return
        histories = {t.id: t.history for t in self.trials if t.history}
        running = {t.id for t in self.running()}
        for trial_id in to_stop(policy, self.spec.maximize, histories, running, self._checked):
            trial = next(t for t in self.trials if t.id == trial_id)
            self._stop(trial, f"early termination: {policy.type} policy")

    def _time_out_trials(self) -> None:
        limit = self.spec.limits.trial_timeout
        if not limit:
            return
        for trial in self.running():
            if time.time() - (trial.state.start_time or time.time()) > limit:
                self._stop(trial, f"the trial timeout ({limit:g} s) was reached")

    def _stop(self, trial: Trial, reason: str) -> None:
        process, handle = self._processes.pop(trial.id)
        _end_group(process)
        handle.close()
        trial.state.message = reason
        trial.state.exit_code = process.returncode
        self._finish(trial, "Canceled")

    def _stop_all(self, reason: str) -> None:
        for trial in self.running():
            self._stop(trial, reason)

    def _finish(self, trial: Trial, status: str) -> None:
        state = trial.state
        state.end_time = time.time()
        if state.run_id:
            # The last values the trial logged, read after its process ended.
            trial.history = self.runs.history(state.run_id, self.spec.primary_metric)
            self.runs.finish(state.run_id, status)
        state.status = status
        # Only a completed trial's metric teaches the sampler; a stopped one's is partial.
        self.sampler.tell(trial.suggestion, trial.metric if status == "Completed" else None)
        self.changed(self)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the trial's process group, then SIGKILL it after a grace period."""
    for signal_number, wait in ((signal.SIGTERM, _KILL_GRACE_SECONDS), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal_number)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
