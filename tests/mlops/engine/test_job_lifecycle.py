"""`mlops job archive|restore|update` and `job list --include-archived/--archived-only`, as az ml
has them, on job records written as the engine writes them (no job runs)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from tool_fixtures import cli  # noqa: F401 (fixture)

from mlops import jobstore as store
from mlops.engine.lifecycle import update_job
from mlops.engine.record import JobRecord
from mlops.engine.status import engine_identity
from mlops.overrides import Overrides


def _job(name: str, status: str, start: str, **fields) -> None:
    record = JobRecord.from_json({"name": name, "status": status, "start_time": start, **fields})
    store.save(record.to_json())


def test_archived_jobs_leave_job_list_and_are_still_shown(cli):  # noqa: F811
    _job("old", "Completed", "2026-01-01T00:00:00")
    _job("new", "Failed", "2026-01-02T00:00:00")

    assert cli.ok("job", "archive", "-n", "old") is None
    assert cli.ok("job", "list", "--query", "[].name") == ["new"]
    assert cli.ok("job", "list", "--archived-only", "--query", "[].name") == ["old"]
    listed = cli.ok("job", "list", "--include-archived", "--query", "[].name")
    assert listed == ["new", "old"]
    assert cli.ok("job", "list", "--include-archived", "-r", "1", "--query", "[].name") == ["new"]
    assert cli.ok("job", "list", "-r", "1", "--all-results", "--query", "[].name") == ["new"]
    assert cli.ok("job", "list", "-r", "1", "--all-results", "true", "--query", "length(@)") == 1
    assert cli.ok("job", "show", "-n", "old", "--query", "status") == "Completed"
    cli.ok("job", "restore", "-n", "old")
    assert cli.ok("job", "list", "--query", "[].name") == ["new", "old"]
    assert cli.ok("job", "list", "-r", "1", "--all-results", "--query", "[].name") == ["new", "old"]
    assert cli.ok("job", "list", "-r", "1", "--all-results", "false", "--query", "[].name") == [
        "new"
    ]
    assert "job 'nope' does not exist" in cli.error("job", "archive", "-n", "nope")


def test_a_running_job_cannot_be_archived(cli):  # noqa: F811
    _job("busy", "Running", "2026-01-01T00:00:00", properties=engine_identity())
    error = cli.error("job", "archive", "-n", "busy")
    assert "job busy is Running: only a job that has ended can be archived" in error
    assert not store.is_archived("busy")
    assert os.getpid() == store.load("busy")["properties"]["engine_pid"]


def test_job_update_sets_display_name_tags_description_and_properties(cli):  # noqa: F811
    _job("run1", "Completed", "2026-01-01T00:00:00", tags={"keep": "1"}, properties={"a": "b"})
    updated = cli.ok(
        "job", "update", "--name", "run1",
        "--set", "display_name=baseline", "tags.stage=candidate", "description=first try",
        "--set", "properties.reviewed=yes",
    )  # fmt: skip
    assert updated["display_name"] == "baseline"
    assert updated["tags"] == {"keep": "1", "stage": "candidate"}
    assert updated["description"] == "first try"
    assert updated["properties"] == {"a": "b", "reviewed": "yes"}
    cli.ok("job", "update", "-n", "run1", "--remove", "tags.keep")
    assert cli.ok("job", "show", "-n", "run1", "--query", "tags") == {"stage": "candidate"}
    assert cli.ok("job", "list", "--query", "[].display_name") == ["baseline"]

    # The engine rewriting its record (a running job) does not undo the update.
    store.save({**store.load("run1"), "display_name": "run1", "tags": {}})
    assert cli.ok("job", "show", "-n", "run1", "--query", "display_name") == "baseline"

    error = cli.error("job", "update", "-n", "run1", "--set", "status=Failed", code=2)
    assert "status cannot change once a job is created" in error
    error = cli.error("job", "update", "-n", "run1", "--remove", "properties.a", code=2)
    assert "properties can be added or changed, not removed (a)" in error


def test_updates_made_at_the_same_time_all_keep_their_change(cli):  # noqa: F811
    _job("shared", "Completed", "2026-01-01T00:00:00")

    def tag(index: int) -> None:
        update_job("shared", Overrides(set=(f"tags.t{index}={index}",)))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(tag, range(24)))

    assert store.load("shared")["tags"] == {f"t{i}": str(i) for i in range(24)}
