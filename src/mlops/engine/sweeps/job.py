"""`mlops job create -f sweep.yml`: a standalone `type: sweep` job, run to its end.

The trial (an inline command, with `${{search_space.<name>}}` and `${{inputs.<name>}}` in its
command) runs once per sampled point, each trial a child MLflow run of the sweep's run. The
sweep's outputs are its best trial's outputs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO

from mlops import jobstore as store
from mlops import tracking
from mlops.documents import MAX_YAML_BYTES
from mlops.engine.names import new_job_name
from mlops.engine.plan import PlannedNode
from mlops.engine.record import iso, node_record
from mlops.engine.runs import JobRuns, job_tracker, tracking_summary
from mlops.engine.signals import stops_like_ctrl_c
from mlops.engine.sources import resolve_inputs
from mlops.engine.status import engine_identity
from mlops.engine.sweeps.table import TrialTable
from mlops.engine.sweeps.trials import TrialRunner
from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.expressions import format_value
from mlops.overrides import Overrides, for_file
from mlops.plan.convert import job_info, plan_command_job
from mlops.sweep.samplers import make_sampler
from mlops.sweep.space import SpaceError
from mlops.sweep.spec import SweepSpec, parse_spec
from mlops.validation import load_entity

__all__ = ["create_sweep_job", "is_sweep_file"]

_SEARCH_SPACE = re.compile(r"\$\{\{\s*search_space\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_TYPE_LINE = re.compile(r"^type:\s*['\"]?sweep['\"]?\s*(#.*)?$", re.MULTILINE)


def is_sweep_file(path: Path) -> bool:
    """Whether a job YAML is a `type: sweep` job (a top-level `type: sweep` line).

    Only a regular file of a YAML's size is read: a pipe or /dev/zero is left to the loader,
    which refuses it with a message.
    """
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size > MAX_YAML_BYTES:
            return False
        return bool(_TYPE_LINE.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def create_sweep_job(
    path: Path,
    *,
    set_values: Sequence[str] = (),
    name: str | None = None,
    stream: bool = False,
    max_parallel: int | None = None,
    progress_stream: TextIO | None = None,
) -> dict[str, Any]:
    """Run a sweep job to its end, as `az ml job create` runs it on Azure.

    Args:
        path: The sweep job YAML.
        set_values: az ml's `--set` items (`limits.max_total_trials=4`, `inputs.epochs=3`).
        name: The job name; a new Azure-style name when None.
        stream: Unused for sweeps (each trial's log is in its folder); accepted for the CLI.
        max_parallel: Bounds the concurrent trials instead of the machine's cores.
        progress_stream: Where the trial table and the summary go (default stderr).

    Returns:
        The sweep's record, as `mlops job show` prints it, with its best trial.

    Raises:
        ProblemsFound: The YAML is wrong; nothing ran.
        MlopsError: The job name is taken.
    """
    del stream
    path = Path(path)
    overrides = for_file(Path(path), Overrides(set=tuple(set_values)))
    tracking.check_store()
    if name is not None and store.exists(name):
        raise MlopsError(f"a job named {name!r} already exists. Fix: pick another --name.")
    job = load_entity(path, "job", overrides)
    document = job._to_dict()
    spec = _spec(path, document, max_parallel)
    base = _base_node(job, path, set(spec.space))
    tracker = job_tracker()
    try:
        name = name or new_job_name()
        experiment = job.experiment_name or Path.cwd().name
        runs = JobRuns(tracker, experiment, name, job.display_name, dict(job.tags or {}))
        with stops_like_ctrl_c():
            return _run(job, document, spec, base, path, name, runs, progress_stream)
    finally:
        tracker.close()


def _spec(path: Path, document: dict[str, Any], max_parallel: int | None) -> SweepSpec:
    try:
        spec = parse_spec(document, cores=max_parallel or os.cpu_count())
        make_sampler(spec.sampling, spec.space, "maximize" if spec.maximize else "minimize")
    except SpaceError as error:
        raise ProblemsFound([_problem(path, str(error))]) from None
    return spec


def _problem(path: Path, message: str) -> Problem:
    field, _, rest = message.partition(": ")
    return Problem(str(path), None, field, rest or message)


def _base_node(job: Any, path: Path, names: set[str]) -> PlannedNode:
    """The trial as the engine's one-node command plan (inputs resolved, nothing run yet).

    Raises:
        ProblemsFound: The command names a hyperparameter the search space lacks, or an input
            cannot be resolved.
    """
    trial = job.trial
    command = str(getattr(trial, "command", None) or "")
    unknown = sorted(set(_SEARCH_SPACE.findall(command)) - names)
    if unknown:
        raise ProblemsFound(
            [
                Problem(
                    str(path),
                    None,
                    "trial.command",
                    f"${{{{search_space.{unknown[0]}}}}} names no hyperparameter of search_space",
                    f"add {unknown[0]} to search_space or correct the name",
                )
            ]
        )
    as_command_job = SimpleNamespace(
        type="command",
        command=command,
        code=getattr(trial, "code", None),
        base_path=job.base_path,
        environment=getattr(trial, "environment", None),
        environment_variables=dict(getattr(trial, "environment_variables", None) or {}),
        inputs=job.inputs,
        outputs=job.outputs,
        display_name=None,
        experiment_name=None,
        description=None,
        tags={},
        settings=None,
    )
    plan = resolve_inputs(plan_command_job(as_command_job, path), path)
    return next(iter(plan.nodes.values()))


def trial_node(base: PlannedNode, index: int, parameters: dict[str, Any]) -> PlannedNode:
    """Trial `index`: the trial's command with its hyperparameters in place of
    `${{search_space.<name>}}`, which it also sees as `AZUREML_SWEEP_<name>` (as on Azure)."""

    def value(match: re.Match[str]) -> str:
        return shlex.quote(format_value(parameters[match.group(1)]))

    variables = {
        **base.environment_variables,
        **{f"AZUREML_SWEEP_{k}": format_value(v) for k, v in parameters.items()},
    }
    return dataclasses.replace(
        base,
        id=f"trial_{index}",
        command=_SEARCH_SPACE.sub(value, base.command or ""),
        environment_variables=variables,
    )


def _run(
    job: Any,
    document: dict[str, Any],
    spec: SweepSpec,
    base: PlannedNode,
    path: Path,
    name: str,
    runs: JobRuns,
    progress_stream: TextIO | None,
) -> dict[str, Any]:
    started = time.time()
    record = _new_record(job, document, path, name, runs, started)
    table = TrialTable(spec.primary_metric, progress_stream)
    goal = "maximize" if spec.maximize else "minimize"
    sampler = make_sampler(spec.sampling, spec.space, goal)

    def changed(runner: TrialRunner) -> None:
        table.update(runner.trials, runner.best())
        _save(record, runner)

    runner = TrialRunner(
        name,
        spec,
        sampler,
        lambda index, parameters: trial_node(base, index, parameters),
        runs,
        changed,
    )
    store.save(record)
    table.started(name, spec.limits.max_total_trials, spec.limits.max_concurrent_trials, goal)
    status = "Canceled"
    try:
        status = runner.run()
    finally:
        finished = time.time()
        record.update(
            status=status, end_time=iso(finished), duration_s=round(finished - started, 3)
        )
        if runner.message:
            record["message"] = runner.message
        _save(record, runner)
        best = runner.best()
        if best is not None and best.metric is not None:
            runs.log_metrics(runs.parent_id, {spec.primary_metric: best.metric})
        runs.finish(runs.parent_id, status)
        table.summary(record)
    return record


def _save(record: dict[str, Any], runner: TrialRunner) -> None:
    """Bring the record up to date with the trials and the best one so far, and store it."""
    for trial in runner.trials:
        metrics = {runner.spec.primary_metric: trial.metric} if trial.metric is not None else {}
        entry = node_record(record["name"], trial.state, metrics, {}).to_json()
        entry["parameters"] = trial.suggestion.parameters
        entry["intermediate_values"] = list(trial.history)
        record["jobs"][trial.id] = entry
    best = runner.best()
    record["best_trial"] = (
        {
            "name": best.id,
            "parameters": best.suggestion.parameters,
            "metric": best.metric,
            "mlflow_run_id": best.state.run_id,
        }
        if best
        else None
    )
    record["properties"]["best_child_run_id"] = best.state.run_id if best else None
    record["properties"]["score"] = best.metric if best else None
    record["outputs"] = {
        output: {
            "type": kind,
            "path": str(best.state.outputs[output])
            if best and output in best.state.outputs
            else None,
        }
        for output, kind in record["output_types"].items()
    }
    store.save(record)


def _new_record(
    job: Any, document: dict[str, Any], path: Path, name: str, runs: JobRuns, started: float
) -> dict[str, Any]:
    return {
        "name": name,
        "type": "sweep",
        "display_name": job.display_name or name,
        "experiment_name": runs.experiment_name,
        "description": job.description,
        "status": "Running",
        "tags": {str(k): str(v) for k, v in (job.tags or {}).items()},
        "creation_context": {
            "created_at": iso(started),
            "created_by": os.environ.get("USER", "local"),
        },
        "start_time": iso(started),
        "end_time": None,
        "duration_s": None,
        "search_space": document.get("search_space"),
        "sampling_algorithm": document.get("sampling_algorithm"),
        "objective": document.get("objective"),
        "limits": document.get("limits"),
        "early_termination": document.get("early_termination"),
        "trial": {"command": getattr(job.trial, "command", None)},
        "inputs": job_info(job).inputs,
        "output_types": {
            key: getattr(value, "type", None) or "uri_folder"
            for key, value in (job.outputs or {}).items()
        },
        "outputs": {},
        "best_trial": None,
        "jobs": {},
        "properties": {
            "file": str(path.resolve()),
            "job_folder": str(store.job_folder(name)),
            "mlflow.runId": runs.parent_id,
            **engine_identity(),
        },
        "services": tracking_summary(),
    }
