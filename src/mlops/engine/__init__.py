"""The local engine: runs Azure ML v2 pipeline jobs offline with Azure ML's semantics.

`create_job` loads and checks the YAML (azure-ai-ml plus `mlops.validation`), plans the
nodes, and runs each as its own process; state, outputs and logs go to `store`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from mlops import jobstore as store
from mlops import tracking
from mlops.engine.execute import Execution, Settings
from mlops.engine.names import new_job_name
from mlops.engine.plan import Plan
from mlops.engine.planning import plan_job
from mlops.engine.progress import Progress
from mlops.engine.record import JobRecord, iso, load_record, node_record, save_record
from mlops.engine.runs import JobRuns, job_tracker, tracking_summary
from mlops.engine.signals import stops_like_ctrl_c
from mlops.engine.sources import resolve_inputs
from mlops.engine.status import engine_identity, engine_runs
from mlops.environments import prepare_all
from mlops.environments.modes import current_mode
from mlops.environments.spec import of_node
from mlops.errors import MlopsError, ProblemsFound
from mlops.identity import Identity, terminate
from mlops.overrides import Overrides, for_file
from mlops.validation.overrides import unknown_override_problems

__all__ = ["cancel_job", "create_job"]

logger = logging.getLogger(__name__)


def create_job(
    path: Path,
    *,
    set_values: Sequence[str] = (),
    name: str | None = None,
    stream: bool = False,
    max_parallel: int | None = None,
    progress_stream: TextIO | None = None,
) -> dict[str, Any]:
    """Run a pipeline job to its end, as `az ml job create` would run it on Azure.

    Args:
        path: The pipeline job YAML.
        set_values: az ml's `--set` items (`inputs.alpha=0.3`, `settings.force_rerun=true`).
        name: The job name; a new Azure-style name when None.
        stream: Print the nodes' log lines as they run.
        max_parallel: The most nodes running at once (default: the number of cores).
        progress_stream: Where progress and the summary go (default stderr).

    Returns:
        The job record, as `mlops job show` prints it.

    Raises:
        ProblemsFound: The YAML or an input is wrong; nothing ran.
        MlopsError: The job name is taken, or the job is not a pipeline.
    """
    from mlops.engine.sweeps.job import create_sweep_job, is_sweep_file  # imports this module

    if is_sweep_file(Path(path)):
        return create_sweep_job(
            Path(path),
            set_values=set_values,
            name=name,
            stream=stream,
            max_parallel=max_parallel,
            progress_stream=progress_stream,
        )
    overrides = for_file(Path(path), Overrides(set=tuple(set_values)))
    # Before anything runs: a node's MLflow would otherwise create tables over a damaged store.
    tracking.check_store()
    if name is not None and store.exists(name):
        raise MlopsError(f"a job named {name!r} already exists. Fix: pick another --name.")
    tracker = job_tracker()
    try:
        plan = _load(Path(path), overrides)
        name = name or new_job_name()
        job = plan.job
        assert job is not None
        experiment = job.experiment_name or Path.cwd().name
        runs = JobRuns(tracker, experiment, name, job.display_name, dict(job.tags))
        with stops_like_ctrl_c():
            return _run(plan, Path(path), name, runs, stream, max_parallel, progress_stream)
    finally:
        tracker.close()


def _load(path: Path, overrides: list[dict[str, Any]]) -> Plan:
    """The job's plan (from the plan cache when no file it was made from changed), with its
    data inputs resolved now.

    Raises:
        ProblemsFound: The YAML, an override or an input is wrong; nothing runs.
        MlopsError: The job is neither a pipeline nor a command job.
    """
    unknown = unknown_override_problems(path, overrides)
    if unknown:
        raise ProblemsFound(unknown)
    plan = plan_job(path, overrides)
    plan = resolve_inputs(plan, path)
    prepare_all(of_node(node) for node in plan.nodes.values())
    return plan


def _run(
    plan: Plan,
    path: Path,
    name: str,
    runs: JobRuns,
    stream: bool,
    max_parallel: int | None,
    progress_stream: TextIO | None,
) -> dict[str, Any]:
    started = time.time()
    record = _new_record(plan, path, name, runs, started)
    progress = Progress(progress_stream, follow_logs=stream)
    results: dict[str, tuple[dict[str, float], dict[str, str]]] = {}

    def save() -> None:
        nonlocal record
        jobs = dict(record.jobs)
        for node_id, state in execution.states.items():
            if (
                state.run_id
                and state.status in {"Completed", "Reused", "Failed"}
                and node_id not in results
            ):
                results[node_id] = runs.results(state.run_id)
            jobs[node_id] = node_record(name, state, *results.get(node_id, ({}, {})))
        outputs = {
            output: {
                "type": plan.output_types.get(output),
                "path": jobs[source.node].outputs.get(source.output),
            }
            for output, source in plan.outputs.items()
        }
        record = replace(record, jobs=jobs, outputs=outputs)
        save_record(record)

    execution = Execution(
        name,
        plan,
        Settings(
            continue_on_step_failure=plan.settings.continue_on_step_failure,
            force_rerun=plan.settings.force_rerun,
        ),
        runs,
        max_parallel or os.cpu_count() or 1,
        progress,
        save,
    )
    save()
    progress.started(name, list(plan.nodes))
    status = "Canceled"
    try:
        status = execution.run()
    finally:
        finished = time.time()
        record = replace(
            record, status=status, end_time=iso(finished), duration_s=round(finished - started, 3)
        )
        save()
        runs.finish(runs.parent_id, status)
        progress.summary(record.to_json())
    return record.to_json()


def _new_record(plan: Plan, path: Path, name: str, runs: JobRuns, started: float) -> JobRecord:
    job = plan.job
    assert job is not None
    return JobRecord(
        name=name,
        type=job.type,
        display_name=job.display_name or name,
        experiment_name=runs.experiment_name,
        description=job.description,
        status="Running",
        tags=dict(job.tags),
        creation_context={
            "created_at": iso(started),
            "created_by": os.environ.get("USER", "local"),
        },
        start_time=iso(started),
        end_time=None,
        duration_s=None,
        settings={
            "default_compute": plan.settings.default_compute,
            "continue_on_step_failure": plan.settings.continue_on_step_failure,
            "force_rerun": plan.settings.force_rerun,
        },
        inputs=job.inputs,
        outputs={},
        jobs={},
        properties={
            "file": str(path.resolve()),
            "job_folder": str(store.job_folder(name)),
            "mlflow.runId": runs.parent_id,
            "environment_mode": current_mode(),
            **engine_identity(),
        },
        services=tracking_summary(),
    )


_CANCELED_LATE = "canceled after the engine running the job had ended"


def _cancel_trials(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stop a sweep node's running trials as its nodes are stopped (by their recorded
    process); the trial entries say Canceled."""
    entries = []
    for trial in trials:
        if trial.get("status") == "Running":
            if trial.get("process"):
                terminate(Identity.from_json(trial["process"]))
            rest = {k: v for k, v in trial.items() if k != "process"}
            trial = {**rest, "status": "Canceled", "message": _CANCELED_LATE}
        entries.append(trial)
    return entries


def cancel_job(name: str) -> dict[str, Any]:
    """Ask a running job's engine to cancel it (it stops its node processes within a second).

    When the engine is gone (killed, crashed), there is no one to ask: the nodes it left
    running are stopped here -- each only while its PID still belongs to the process recorded
    -- and the job and those nodes are recorded as Canceled.

    Raises:
        NotFoundError: No such job.
    """
    record = load_record(name)
    if record.status not in {"Running", "NotStarted", "Queued"}:
        return record.to_json()
    if engine_runs(record.to_json()):
        (store.job_folder(name) / store.CANCEL_FILE).write_text("cancel\n", encoding="utf-8")
        return replace(record, status="CancelRequested").to_json()
    ended = time.time()
    jobs = dict(record.jobs)
    for node_id, node in record.jobs.items():
        if node.status != "Running":
            continue
        if node.process:
            terminate(Identity.from_json(node.process))
        jobs[node_id] = replace(
            node,
            status="Canceled",
            end_time=iso(ended),
            process=None,
            message=_CANCELED_LATE,
            trials=_cancel_trials(node.trials) if node.trials is not None else None,
        )
    record = replace(record, jobs=jobs, status="Canceled", end_time=iso(ended))
    save_record(record)
    return record.to_json()
