"""A `type: sweep` node of a pipeline: its trials run as child jobs of the node, and the node's
outputs are its best trial's outputs, so the next node consumes the best model (Azure ML's
semantics). The pipeline's engine drives it with `step()` from its own poll loop."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlops import jobstore as store
from mlops.engine.node import NodeState
from mlops.engine.plan import Literal, PlannedNode
from mlops.engine.progress import Progress
from mlops.engine.runs import JobRuns
from mlops.engine.sweeps.table import parameters_text
from mlops.engine.sweeps.trials import Trial, TrialRunner
from mlops.expressions import format_value
from mlops.sweep.samplers import make_sampler
from mlops.sweep.spec import parse_spec


def trial_of(node: PlannedNode, index: int, parameters: dict[str, Any]) -> PlannedNode:
    """Trial `index` of a sweep node: the trial component's command node, each search space
    input bound to its sampled value (also seen as `AZUREML_SWEEP_<name>`, as on Azure)."""
    return dataclasses.replace(
        node,
        id=f"{node.id}/trial_{index}",
        type="command",
        sweep=None,
        inputs={**node.inputs, **{name: Literal(value) for name, value in parameters.items()}},
        environment_variables={
            **node.environment_variables,
            **{f"AZUREML_SWEEP_{k}": format_value(v) for k, v in parameters.items()},
        },
    )


class SweepNode:
    """One running sweep node: its trial runner, and what its record shows."""

    def __init__(
        self,
        job: str,
        state: NodeState,
        states: dict[str, NodeState],
        runs: JobRuns,
        max_parallel: int,
        changed: Callable[[], None],
        progress: Progress,
    ) -> None:
        """Prepare the trials (none starts before the first `step`).

        Raises:
            SpaceError: The sweep's settings are malformed (validation catches this first).
        """
        node = state.node
        assert node.sweep is not None
        self.state = state
        self.runs = runs
        self.spec = parse_spec(node.sweep, cores=max_parallel)
        goal = "maximize" if self.spec.maximize else "minimize"
        # The trials are child runs of the sweep node's run, as in Azure's studio.
        trial_runs = copy.copy(runs)
        trial_runs.parent_id = state.run_id or runs.parent_id

        def on_change(_runner: TrialRunner) -> None:
            state.trials = [self._trial_entry(trial) for trial in self.runner.trials]
            best = self.runner.best()
            state.best_trial = best.id if best else None
            progress.trials(node.id, self.spec.primary_metric, self.runner.trials, best)
            changed()

        self.runner = TrialRunner(
            job,
            self.spec,
            make_sampler(self.spec.sampling, self.spec.space, goal),
            lambda index, parameters: trial_of(node, index, parameters),
            trial_runs,
            on_change,
            states,
        )
        self.job = job
        self.progress = progress
        self._log_paths: dict[str, Path] = {}

    def logs(self) -> dict[str, Path]:
        """The logs of the running trials (what `--stream` follows)."""
        return {
            trial.id: self._log_paths.setdefault(trial.id, store.log_path(self.job, trial.id))
            for trial in self.runner.running()
        }

    def step(self) -> str | None:
        """One round of the trials; the node's final status once they are all done.

        Completed with the best trial's outputs as the node's; Failed when every trial failed
        or none logged the primary metric (nothing could be handed on).
        """
        status = self.runner.step()
        if status is None:
            return None
        status = self._finish(status)
        self.progress.sweep_ended(self.state.node.id, status)
        return status

    def cancel(self) -> None:
        """Stop the running trials."""
        self.runner.cancel()
        self._write_log("Canceled")

    def _finish(self, status: str) -> str:
        best = self.runner.best()
        if status == "Completed" and best is None:
            status = "Failed"
            self.state.message = (
                f"no trial logged the primary metric {self.spec.primary_metric!r}, so there is "
                "no best trial whose outputs the node could hand on"
            )
        elif status == "Failed":
            self.state.message = "every trial failed"
        if best is not None and status == "Completed":
            self.state.outputs = dict(best.state.outputs)
            if self.state.run_id and best.metric is not None:
                self.runs.log_metrics(self.state.run_id, {self.spec.primary_metric: best.metric})
        self._write_log(status)
        return status

    def _trial_entry(self, trial: Trial) -> dict[str, Any]:
        state = trial.state
        return {
            "name": trial.id,
            "status": state.status,
            "parameters": trial.suggestion.parameters,
            self.spec.primary_metric: trial.metric,
            "mlflow_run_id": state.run_id,
            "log": str(store.log_path(self.job, trial.id)),
            **({"message": state.message} if state.message else {}),
            # So that `job cancel` can stop a running trial after the engine died.
            **({"process": state.process} if state.status == "Running" and state.process else {}),
        }

    def _write_log(self, status: str) -> None:
        """The node's own log: one line per trial, then the best trial."""
        best = self.runner.best()
        lines = [f"Sweep node {self.state.node.id}: {status}, {len(self.runner.trials)} trials"]
        for trial in self.runner.trials:
            metric = "" if trial.metric is None else f" {self.spec.primary_metric}={trial.metric}"
            why = f" ({trial.state.message})" if trial.state.message else ""
            lines.append(
                f"  {trial.id}: {trial.state.status} {parameters_text(trial)}{metric}{why}"
                f"  log: {store.log_path(self.job, trial.id)}"
            )
        if best is not None:
            lines.append(f"Best trial: {best.id} {parameters_text(best)}")
        if self.runner.message:
            lines.append(self.runner.message)
        if self.state.message:
            lines.append(f"ERROR: {self.state.message}")
        log = store.log_path(self.job, self.state.node.id)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
