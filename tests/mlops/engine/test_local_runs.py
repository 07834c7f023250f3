"""Runs written straight into the local SQLite store (engine/localruns.py) must read back
through MLflow exactly as runs MLflow made itself; an MLflow upgrade that changes the schema
fails here first."""

from __future__ import annotations

import math
import shutil
import sqlite3
from pathlib import Path

import pytest

from mlops import storecheck, tracking
from mlops.engine.localruns import KNOWN_SCHEMAS, LocalRuns
from mlops.engine.runs import JobRuns


def _row(database: Path, run_id: str) -> dict[str, object]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute("SELECT * FROM runs WHERE run_uuid = ?", (run_id,)).fetchone()
    return dict(row)


def _order(metric) -> tuple[int, int]:
    return (metric.step, metric.timestamp)


def test_the_installed_mlflow_writes_a_schema_known_here() -> None:
    # If this fails, MLflow was upgraded: check runs, tags, metrics, latest_metrics and
    # experiments against localruns.py, then add the new revision to KNOWN_SCHEMAS.
    assert storecheck.mlflow_revisions()[1] in KNOWN_SCHEMAS


def test_runs_made_here_read_back_as_mlflows_own(mlops_home: Path) -> None:
    database = tracking.local_database()
    assert database is not None
    location = (tracking.artifact_root() / "exp").as_uri()
    local = LocalRuns.open(database, "exp", location)
    assert local is not None
    client = tracking.client()
    experiment = client.get_experiment_by_name("exp")
    assert experiment.experiment_id == local.experiment_id
    assert experiment.artifact_location == location
    assert experiment.lifecycle_stage == "active"
    assert LocalRuns.open(database, "exp", location).experiment_id == local.experiment_id

    parent = local.create("job", {"azureml.displayName": "The job"})
    child = local.create("node", {"mlflow.parentRunId": parent})
    theirs = client.create_run(
        local.experiment_id, tags={"mlflow.parentRunId": parent}, run_name="node"
    ).info.run_id
    mine, made = _row(database, child), _row(database, theirs)
    for row, run_id in ((mine, child), (made, theirs)):
        row["artifact_uri"] = str(row["artifact_uri"]).replace(run_id, "<id>")
        del row["run_uuid"], row["start_time"]
    assert mine == made
    run = client.get_run(child)
    assert (run.info.status, run.info.run_name, run.info.experiment_id) == (
        "RUNNING",
        "node",
        local.experiment_id,
    )
    assert run.data.tags == client.get_run(theirs).data.tags
    found = client.search_runs([local.experiment_id], f"tags.mlflow.parentRunId = '{parent}'")
    assert {r.info.run_id for r in found} == {child, theirs}

    client.log_metric(child, "mse", 3.0, step=1)
    client.log_metric(child, "mse", 2.0, step=2)
    client.log_metric(child, "odd", float("nan"))
    client.set_tag(child, "stage", "train")
    metrics, tags = local.results(child)
    assert metrics["mse"] == 2.0 and math.isnan(metrics["odd"]) and len(metrics) == 2
    assert tags == client.get_run(child).data.tags

    client.log_metric(child, "mse", 2.5, step=1, timestamp=1)  # steps first, then time
    ordered = [m.value for m in sorted(client.get_metric_history(child, "mse"), key=_order)]
    assert local.history(child, "mse") == ordered == [2.5, 3.0, 2.0]
    assert local.history(child, "other") == [] and math.isnan(local.history(child, "odd")[0])

    # A sweep's best metric, logged by the engine: read back as the tracker's log_batch leaves it.
    best, logged = local.create("sweep", {}), local.create("sweep", {})
    local.log_metrics(best, {"score": 1.5, "none": float("nan")})
    from mlflow.entities import Metric

    client.log_batch(logged, metrics=[Metric("score", 1.5, 0, 0), Metric("none", math.nan, 0, 0)])
    for run in (best, logged):
        data = client.get_run(run).data.metrics
        assert data["score"] == 1.5 and math.isnan(data["none"])
        history = client.get_metric_history(run, "score")
        assert [(m.value, m.step, m.timestamp) for m in history] == [(1.5, 0, 0)]

    reused = local.create("node", {"mlflow.parentRunId": parent})
    local.copy_metrics(child, reused)
    copied = client.get_run(reused).data.metrics
    assert copied["mse"] == 2.0 and math.isnan(copied["odd"])
    history = client.get_metric_history(reused, "mse")
    assert [(m.value, m.step, m.timestamp) for m in history] == [(2.0, 0, 0)]

    local.finish(child, "FAILED")
    ended = client.get_run(child).info
    assert ended.status == "FAILED" and ended.end_time >= ended.start_time


def test_mlflow_makes_the_runs_where_they_are_not_known_here(
    mlops_home: Path, tmp_path: Path
) -> None:
    database = tracking.local_database()
    assert database is not None
    location = (tracking.artifact_root() / "exp").as_uri()
    assert LocalRuns.open(tmp_path / "absent.db", "exp", location) is None
    assert not (tmp_path / "absent.db").exists()  # left for MLflow to create
    assert LocalRuns.open(None, "exp", location) is None
    assert LocalRuns.open(database, "", location) is None
    other = tmp_path / "other.db"
    shutil.copyfile(database, other)
    with sqlite3.connect(other) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    assert not LocalRuns.usable(other)
    assert LocalRuns.open(other, "exp", location) is None
    client = tracking.client()
    client.delete_experiment(client.create_experiment("gone", artifact_location=location))
    assert LocalRuns.open(database, "gone", location) is None
    elsewhere = client.create_experiment("elsewhere", artifact_location="s3://bucket/runs")
    assert elsewhere and LocalRuns.open(database, "elsewhere", location) is None


class _InProcessTracker:
    """The tracker's operations run in this process, counted."""

    def __init__(self) -> None:
        from mlops.engine.tracker import _Operations

        self.calls: list[str] = []
        self._operations: _Operations | None = None
        self._make = _Operations

    def call(self, operation: str, **arguments: object) -> object:
        self.calls.append(operation)
        if self._operations is None:
            self._operations = self._make()
        return getattr(self._operations, operation)(**arguments)


def test_a_new_store_is_made_by_mlflow_and_then_written_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLOPS_HOME", str(tmp_path / "fresh"))
    database = tracking.local_database()
    assert database is not None and not database.exists()
    tracker = _InProcessTracker()
    runs = JobRuns(tracker, "exp", "job", "The job", {})  # type: ignore[arg-type]
    child = runs.child("node")
    runs.finish(child, "Completed")
    assert tracker.calls == ["experiment"]  # MLflow made the store; the runs were made here
    run = tracking.client().get_run(child)
    assert run.data.tags["mlflow.parentRunId"] == runs.parent_id
    assert run.info.status == "FINISHED"


@pytest.mark.slow  # starts the tracker process (MLflow's import, ~3 s)
def test_the_tracker_exits_as_soon_as_the_engine_lets_it_go(mlops_home: Path) -> None:
    from mlops.engine.tracker import Tracker

    tracker = Tracker()
    experiment = tracker.call("experiment", name="tracked")
    run_id = tracker.call("create_run", experiment_id=experiment, run_name="r", tags={})
    tracker.call("finish", run_id=run_id, status="FINISHED")
    process = tracker._process
    assert process is not None
    tracker.close()
    assert process.wait(timeout=60) == 0
    assert tracking.client().get_run(run_id).info.status == "FINISHED"  # committed before


def test_where_the_store_is_not_known_here_metrics_go_through_the_tracker(
    mlops_home: Path,
) -> None:
    tracker = _InProcessTracker()
    runs = JobRuns(tracker, "exp", "job", None, {})  # type: ignore[arg-type]
    runs._local = None  # as for a server or an unknown schema
    run = runs.child("tune")
    runs.log_metrics(run, {"score": 2.0})
    assert runs.history(run, "score") == [2.0]
    assert tracker.calls[-3:] == ["create_run", "log_metrics", "history"]
