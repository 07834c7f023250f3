"""A new local MLflow store is a copy of a template MLflow made once (mlops.storetemplate): the
copy is the store MLflow would have made, the template is reused, a damaged one is replaced,
and stores and templates made at once by several processes all come out whole."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mlops import storecheck, storetemplate, tracking
from mlops.engine.localruns import LocalRuns
from mlops.engine.runs import job_tracker


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache folder of this test, empty."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mlops" / "mlflow-stores"


def _new_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    monkeypatch.setenv("MLOPS_HOME", str(tmp_path / name))
    return tmp_path / name / "mlflow.db"


def _contents(database: Path) -> dict[str, object]:
    """Every table's definition and rows, the Default experiment's creation times left out (and
    the order of a table's constraints, which varies between two stores MLflow makes)."""
    with sqlite3.connect(database) as connection:
        schema = sorted(
            (kind, name, sorted((sql or "").replace(", \n", "\n").splitlines()))
            for kind, name, sql in connection.execute("SELECT type, name, sql FROM sqlite_master")
        )
        rows = {
            table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"')))
            for table in storecheck.tables(connection)
            if table != "experiments"
        }
        rows["experiments"] = connection.execute(
            "SELECT experiment_id, name, artifact_location, lifecycle_stage, workspace "
            "FROM experiments"
        ).fetchall()
    return {"schema": schema, "rows": rows}


def test_a_new_store_is_the_copy_of_the_template_mlflow_made_once(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _new_home(tmp_path, monkeypatch, "first")
    tracking.client()
    [template] = cache.iterdir()
    assert template == storetemplate.template_path()
    made_at = template.stat().st_mtime_ns

    # MLflow, left to itself on another store in the same folder, makes the same database.
    from mlflow.tracking import MlflowClient

    own = tmp_path / "own.db"
    MlflowClient(tracking_uri=f"sqlite:///{own}").search_experiments(max_results=1)
    assert _contents(first) == _contents(own)
    assert _contents(first)["rows"]["experiments"] == [
        (0, "Default", storetemplate.default_artifact_location(), "active", "default")
    ]

    # The next new store is copied: MLflow's migrations do not run, the template is unchanged.
    import mlflow.store.db.utils

    def no_migrations(*args: object) -> None:
        raise AssertionError("MLflow migrated a new store instead of copying the template")

    monkeypatch.setattr(mlflow.store.db.utils, "_initialize_tables", no_migrations)
    second = _new_home(tmp_path, monkeypatch, "second")
    experiment = tracking.experiment_id("exp")
    assert second.is_file() and experiment == "1"
    assert template.stat().st_mtime_ns == made_at
    assert sorted(path.name for path in cache.iterdir()) == [template.name]
    assert [path.name for path in second.parent.glob(".mlflow.db*")] == []


def test_a_job_on_a_store_copied_from_the_template_starts_no_tracker(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, _migrated_mlflow_database: Path
) -> None:
    template = storetemplate.template_path()
    assert template is not None
    template.parent.mkdir(parents=True)
    shutil.copyfile(_migrated_mlflow_database, template)  # a store MLflow made, as make_template
    database = _new_home(tmp_path, monkeypatch, "home")
    tracking.check_store()  # what a job does first
    assert LocalRuns.usable(database)
    tracker = job_tracker()
    assert tracker._process is None


def test_without_a_template_the_store_is_left_to_mlflow_and_a_damaged_template_is_dropped(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    database = _new_home(tmp_path, monkeypatch, "home")
    tracking.check_store()
    assert not database.exists()  # no template: MLflow makes the store when it opens it

    template = storetemplate.template_path()
    assert template is not None
    template.parent.mkdir(parents=True)
    template.write_bytes(b"not a database")
    tracking.check_store()
    assert not database.exists() and not template.exists()
    assert "not an SQLite database" in caplog.text


@pytest.mark.slow
def test_stores_and_templates_made_at_once_all_come_out_whole(tmp_path: Path, cache: Path) -> None:
    # Three processes, no template yet: two on one store, one on another; all at once.
    homes = [tmp_path / "a", tmp_path / "a", tmp_path / "b"]
    code = "from mlops import tracking; print(tracking.experiment_id('exp'))"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env={
                **_environment(),
                "MLOPS_HOME": str(home),
                "XDG_CACHE_HOME": str(cache.parents[1]),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for home in homes
    ]
    answers = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], answers
    assert [out.strip() for out, _ in answers] == ["1", "1", "1"]
    assert [path.name for path in cache.iterdir()] == [storetemplate.template_path().name]
    for home in ("a", "b"):
        database = tmp_path / home / "mlflow.db"
        storecheck.check_database(database, schema=storecheck.mlflow_schema)
        with sqlite3.connect(database) as connection:
            names = connection.execute("SELECT name FROM experiments ORDER BY 1").fetchall()
        assert names == [("Default",), ("exp",)]
        assert [path.name for path in database.parent.glob(".mlflow.db*")] == []


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")} | {
        "MLFLOW_DISABLE_TELEMETRY": "true"
    }


def test_a_relative_sqlite_uri_is_the_store_in_the_working_directory(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sqlite:///mlflow.db` (three slashes) is MLflow's store in the working directory: the
    # second command on it was refused with "relative path can't be expressed as a file URI".
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
    assert tracking.local_database() == tmp_path / "mlflow.db"
    # A step started in another folder (its own working directory) uses the same file.
    assert tracking.mlflow_environment()["MLFLOW_TRACKING_URI"] == f"sqlite:///{tmp_path}/mlflow.db"
    assert tracking.experiment_id("exp") == "1"
    tracking.check_store()
    assert tracking.experiment_id("exp") == "1"
    assert (tmp_path / "mlflow.db").is_file()


def test_a_damaged_template_in_a_cache_that_cannot_be_written_is_left_to_mlflow(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = storetemplate.template_path()
    assert template is not None
    template.parent.mkdir(parents=True)
    template.write_bytes(b"not a database")
    database = _new_home(tmp_path, monkeypatch, "home")
    unlink = Path.unlink

    def read_only_cache(path: Path, missing_ok: bool = False) -> None:
        if path.parent == cache:  # as in a read-only folder (the tests run as root)
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", read_only_cache)
    assert not storetemplate.copy_template(database)
    assert template.read_bytes() == b"not a database" and not database.exists()


def test_a_sqlite_uri_with_a_query_is_the_file_before_it(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLAlchemy reads `?timeout=20` as an option of the connection: the store is `m.db`. The
    # template was copied to a file named `m.db?timeout=20`, which MLflow never opened.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///m.db?timeout=20")
    assert tracking.local_database() == tmp_path / "m.db"
    assert tracking.tracking_uri() == f"sqlite:///{tmp_path}/m.db?timeout=20"
    assert tracking.experiment_id("exp") == "1"
    tracking.check_store()
    assert sorted(path.name for path in tmp_path.glob("m.db*")) == ["m.db", "m.db.lock"]


def test_a_store_another_process_made_meanwhile_is_kept(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, _migrated_mlflow_database: Path
) -> None:
    # A step's MLflow (or the sample's register step) opens the store without this tool's
    # lock: a store it made while the template was being copied must not be replaced.
    template = storetemplate.template_path()
    assert template is not None
    template.parent.mkdir(parents=True)
    shutil.copyfile(_migrated_mlflow_database, template)
    database = _new_home(tmp_path, monkeypatch, "home")
    copyfile = shutil.copyfile

    def meanwhile(source: Path, target: Path) -> None:
        copyfile(source, target)
        copyfile(_migrated_mlflow_database, database)
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE experiments SET name = 'theirs'")

    monkeypatch.setattr(shutil, "copyfile", meanwhile)
    assert storetemplate.copy_template(database)
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM experiments").fetchall() == [("theirs",)]
    assert [path.name for path in database.parent.glob(".mlflow.db*")] == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_the_template_is_left_closed(cache: Path) -> None:
    # Windows renames no open file: a template MLflow's pool kept open was never put in place.
    template = storetemplate.make_template()
    assert template is not None and template.is_file()
    opened = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            opened.append(os.readlink(fd))
    assert [name for name in opened if name.startswith(str(cache))] == []


def test_a_template_without_tables_is_dropped_and_made_again(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A whole SQLite file with no tables passes as a new store, but no store can be copied from
    # it: kept, it sent every new store to MLflow's migrations for good.
    template = storetemplate.template_path()
    assert template is not None
    template.parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(template)) as connection:
        connection.execute("PRAGMA user_version = 1")
    database = _new_home(tmp_path, monkeypatch, "home")
    assert not storetemplate.copy_template(database)
    assert not template.exists() and not database.exists()
