"""`mlops job cancel` of a pipeline whose sweep node runs: the engine stops the node's running
trials, the node and its trials are Canceled, and the next node never starts."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from mlops import jobstore as store
from mlops.engine import cancel_job, create_job

FIXTURE = Path(__file__).parent / "fixture"

pytestmark = pytest.mark.slow


def _running_trials(name: str) -> list[dict]:
    if not (store.job_folder(name) / store.STATE_FILE).is_file():
        return []
    tune = store.load(name)["jobs"].get("tune") or {}
    return [trial for trial in tune.get("trials") or [] if trial["status"] == "Running"]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_cancel_stops_a_sweep_nodes_running_trials(tmp_path, mlops_home, monkeypatch):
    shutil.copytree(FIXTURE, tmp_path / "sweep", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path / "sweep")
    finished: dict = {}
    engine = threading.Thread(
        target=lambda: finished.update(
            create_job(
                Path("pipeline.yml"),
                name="cancelme",
                set_values=["jobs.tune.inputs.pause=60"],
                progress_stream=io.StringIO(),
            )
        )
    )
    engine.start()
    deadline = time.time() + 120
    while len(running := _running_trials("cancelme")) < 2 and time.time() < deadline:
        time.sleep(0.1)
    pids = [trial["process"]["pid"] for trial in running]
    assert len(pids) == 2, running

    cancel_job("cancelme")
    engine.join(timeout=60)

    assert finished["status"] == "Canceled"
    tune = finished["jobs"]["tune"]
    assert tune["status"] == "Canceled"
    assert {trial["status"] for trial in tune["trials"]} == {"Canceled"}
    assert all("process" not in trial for trial in tune["trials"])
    assert all(_gone(pid) for pid in pids)
    assert finished["jobs"]["consume"]["status"] == "NotStarted"
