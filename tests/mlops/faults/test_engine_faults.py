"""The engine under signals: SIGTERM/SIGHUP cancel like Ctrl-C; a killed engine or node is
shown as failed, by `job show` and `job list` alike."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlops import jobstore as store

PIPELINES = Path(__file__).parents[1] / "engine" / "pipelines"


@pytest.fixture
def slow_pipeline(tmp_path: Path, mlops_home: Path) -> Path:
    """The engine tests' three-node pipeline whose middle node sleeps a minute."""
    target = tmp_path / "pipelines"
    shutil.copytree(PIPELINES, target)
    return target / "slow.yml"


def _start_engine(pipeline: Path, name: str) -> tuple[subprocess.Popen[str], int]:
    """`mlops job create` in its own process, once its slow node runs; and that node's PID."""
    engine = subprocess.Popen(
        [sys.executable, "-m", "mlops", "job", "create", "-f", str(pipeline), "--name", name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pid_file = store.node_folder(name, "slow") / "outputs" / "pid"
    deadline = time.time() + 120
    while not pid_file.exists() and time.time() < deadline and engine.poll() is None:
        time.sleep(0.1)
    assert pid_file.exists(), engine.communicate()
    return engine, int(pid_file.read_text())


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _mlops_json(*args: str):
    done = subprocess.run(
        [sys.executable, "-m", "mlops", *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_cancel_the_job_like_ctrl_c(slow_pipeline, signal_number):
    engine, node_pid = _start_engine(slow_pipeline, "stopped")

    engine.send_signal(signal_number)
    _out, err = engine.communicate(timeout=60)

    assert engine.returncode == 130, err
    assert "Traceback" not in err
    record = store.load("stopped")
    assert record["status"] == "Canceled"
    assert record["jobs"]["slow"]["status"] == "Canceled"
    assert _gone(node_pid), "the node's process group was left running"


@pytest.mark.slow
def test_a_killed_engine_shows_failed_and_cancel_stops_the_node_it_left(slow_pipeline):
    engine, node_pid = _start_engine(slow_pipeline, "orphaned")
    try:
        engine.kill()
        engine.communicate(timeout=30)

        shown = _mlops_json("job", "show", "-n", "orphaned")
        listed = _mlops_json("job", "list")
        # The node outlives a kill -9 of the engine (its own session) until canceled.
        assert not _gone(node_pid, seconds=0.5)
        canceled = _mlops_json("job", "cancel", "-n", "orphaned")
        stopped = _gone(node_pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(node_pid, signal.SIGKILL)

    assert shown["status"] == "Failed"
    assert shown["jobs"]["slow"]["status"] == "Failed"
    assert shown["jobs"]["quick"]["status"] == "Completed"
    assert [job["status"] for job in listed if job["name"] == "orphaned"] == ["Failed"]
    assert canceled["status"] == "Canceled" and stopped
    assert store.load("orphaned")["jobs"]["slow"]["status"] == "Canceled"


@pytest.mark.slow
def test_a_killed_node_fails_the_job_and_the_engine_reports_it(slow_pipeline):
    engine, node_pid = _start_engine(slow_pipeline, "node_killed")

    os.kill(node_pid, signal.SIGKILL)
    _out, err = engine.communicate(timeout=60)

    assert engine.returncode == 1, err
    record = _mlops_json("job", "show", "-n", "node_killed")
    assert record["status"] == "Failed"
    assert record["jobs"]["slow"]["status"] == "Failed"
    assert record["jobs"]["slow"]["exit_code"] == -signal.SIGKILL
    assert record["jobs"]["never"]["status"] == "NotStarted"


def test_a_job_whose_engine_pid_was_reused_is_failed(mlops_home):
    """A stranger holding the engine's old PID does not keep the job Running."""
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        record = {
            "name": "reused",
            "status": "Running",
            "jobs": {"only": {"status": "Running"}},
            "properties": {"engine_pid": stranger.pid, "engine_started": 1.0},
        }
        store.save(record)
        shown = _mlops_json("job", "show", "-n", "reused")
    finally:
        stranger.kill()
        stranger.wait()
    assert (shown["status"], shown["jobs"]["only"]["status"]) == ("Failed", "Failed")
