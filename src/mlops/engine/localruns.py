"""MLflow runs created straight in the local SQLite store, so that no node waits for MLflow.

The tracker process (tracker.py) needs ~1.5-2.7 s to import MLflow and open its store; a job
whose plan came from the plan cache would otherwise wait that long for its first run id. A
run is a row in `runs` and its tags in `tags`, written here in one transaction as MLflow's
`SqlAlchemyStore.create_run` writes them, and only for a store whose schema revision is one
this module was checked against (tests/mlops/engine/test_local_runs.py compares the rows
with MLflow's own). Anything else -- a server, a new or unknown store, an experiment that
does not exist yet -- goes through the tracker, as before.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock

# MLflow schema revisions whose `runs` and `tags` tables are written as below (MLflow 3.17).
KNOWN_SCHEMAS = frozenset({"dc11669786a5"})
_MAX_NAME = 256  # the experiments table's name column; MLflow refuses longer names


class LocalRuns:
    """Creates runs of one experiment in a local SQLite store, without MLflow."""

    def __init__(self, database: Path, experiment_id: str, artifact_location: str) -> None:
        self.database = database
        self.experiment_id = experiment_id
        self.artifact_location = artifact_location

    @staticmethod
    def usable(database: Path | None) -> bool:
        """Whether `database` is a local store made with a schema known here (so a job's runs
        probably need no MLflow at all)."""
        if database is None or not database.is_file():
            return False
        try:
            with _connection(database) as connection:
                return _schema(connection) in KNOWN_SCHEMAS
        except sqlite3.Error:
            return False

    @classmethod
    def open(
        cls, database: Path | None, experiment_name: str, artifact_location: str
    ) -> LocalRuns | None:
        """Runs of `experiment_name` in `database` (the experiment created, as
        `tracking.experiment_id` creates it, with `artifact_location`, when missing).

        None when MLflow must do it: no local store (a server), a store not made yet, a schema
        revision not known here, an experiment name MLflow might refuse, or an experiment
        that is deleted or keeps its artifacts elsewhere than in a folder.
        """
        if database is None or not 0 < len(experiment_name) <= _MAX_NAME:
            return None
        try:
            # Under the store's creation lock (tracking.client): not a store half migrated.
            with FileLock(str(database) + ".lock"):
                if not LocalRuns.usable(database):  # checks the file first: connect creates it
                    return None
                with _connection(database) as connection:
                    row = _experiment(connection, experiment_name)
                    if row is None:
                        row = _create_experiment(connection, experiment_name, artifact_location)
        except sqlite3.Error:
            return None  # MLflow, through the tracker, says what is wrong with the store
        if row is None or row[2] != "active" or not str(row[1]).startswith("file:///"):
            return None
        return cls(database, str(row[0]), str(row[1]))

    def create(self, run_name: str, tags: dict[str, str]) -> str:
        """A new RUNNING run with `tags` (and `mlflow.runName`); returns its id."""
        run_id = uuid.uuid4().hex
        tags = {"mlflow.runName": run_name, **tags}
        artifact_uri = f"{self.artifact_location.rstrip('/')}/{run_id}/artifacts"
        with _connection(self.database) as connection, connection:
            connection.execute(
                "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
                "user_id, status, start_time, end_time, source_version, lifecycle_stage, "
                "artifact_uri, experiment_id, deleted_time) "
                "VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)",
                (
                    run_id,
                    tags["mlflow.runName"],
                    tags.get("mlflow.user", "unknown"),
                    int(time.time() * 1000),
                    artifact_uri,
                    int(self.experiment_id),
                ),
            )
            connection.executemany(
                "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
                [(key, value, run_id) for key, value in tags.items()],
            )
        return run_id

    def finish(self, run_id: str, status: str) -> None:
        """End a run with an MLflow status (FINISHED, FAILED, KILLED), as `set_terminated`."""
        with _connection(self.database) as connection, connection:
            connection.execute(
                "UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?",
                (status, int(time.time() * 1000), run_id),
            )

    def results(self, run_id: str) -> tuple[dict[str, float], dict[str, str]]:
        """A run's latest metrics (NaN kept) and all its tags, as `get_run(...).data` has them."""
        with _connection(self.database) as connection:
            metrics = {
                key: float("nan") if is_nan else float(value)
                for key, value, is_nan in connection.execute(
                    "SELECT key, value, is_nan FROM latest_metrics WHERE run_uuid = ?", (run_id,)
                )
            }
            tags = dict(
                connection.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (run_id,))
            )
        return metrics, tags

    def history(self, run_id: str, key: str) -> list[float]:
        """The values of metric `key` the run logged, in order of step then time (NaN kept),
        as `get_metric_history` gives them."""
        with _connection(self.database) as connection:
            rows = connection.execute(
                "SELECT value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? "
                "ORDER BY step, timestamp",
                (run_id, key),
            ).fetchall()
        return [float("nan") if is_nan else float(value) for value, is_nan in rows]

    def log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        """Log `metrics` to a run that has no value of them yet, at step 0 and time 0, as the
        tracker's `log_batch` writes them (a key the run already has keeps its latest value)."""
        rows = [
            (key, 0.0 if math.isnan(value) else float(value), run_id, math.isnan(value))
            for key, value in metrics.items()
        ]
        with _connection(self.database) as connection, connection:
            connection.executemany(
                "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                "VALUES (?, ?, 0, ?, 0, ?)",
                rows,
            )
            connection.executemany(
                "INSERT OR IGNORE INTO latest_metrics (key, value, timestamp, run_uuid, step, "
                "is_nan) VALUES (?, ?, 0, ?, 0, ?)",
                rows,
            )

    def copy_metrics(self, source_run: str, target_run: str) -> None:
        """Give a new run (with no metrics yet) the latest metrics of `source_run`, at step 0
        and time 0, as `log_batch` would write them."""
        with _connection(self.database) as connection, connection:
            connection.execute(
                "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                "SELECT key, value, 0, ?, 0, is_nan FROM latest_metrics WHERE run_uuid = ?",
                (target_run, source_run),
            )
            connection.execute(
                "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
                "SELECT key, value, 0, 0, is_nan, ? FROM latest_metrics WHERE run_uuid = ?",
                (target_run, source_run),
            )


def _experiment(connection: sqlite3.Connection, name: str) -> tuple[Any, ...] | None:
    return connection.execute(
        "SELECT experiment_id, artifact_location, lifecycle_stage FROM experiments "
        "WHERE workspace = 'default' AND name = ?",
        (name,),
    ).fetchone()


def _create_experiment(
    connection: sqlite3.Connection, name: str, artifact_location: str
) -> tuple[Any, ...] | None:
    """Create an experiment as MLflow's `create_experiment` does (no tags), or find the one
    another process created at the same moment."""
    now = int(time.time() * 1000)
    try:
        with connection:
            connection.execute(
                "INSERT INTO experiments (name, artifact_location, lifecycle_stage, "
                "creation_time, last_update_time, workspace) "
                "VALUES (?, ?, 'active', ?, ?, 'default')",
                (name, artifact_location, now, now),
            )
    except sqlite3.IntegrityError:
        pass  # created meanwhile by another job
    return _experiment(connection, name)


def _schema(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


@contextlib.contextmanager
def _connection(database: Path) -> Iterator[sqlite3.Connection]:
    # Node scripts and the tracker write to the same store: wait for their locks, as MLflow does.
    connection = sqlite3.connect(database, timeout=60)
    try:
        yield connection
    finally:
        connection.close()
