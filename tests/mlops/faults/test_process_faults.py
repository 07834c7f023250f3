"""A PID in endpoint state that now belongs to another program is never signalled: the state
reports the endpoint failed, and delete leaves the stranger running."""

from __future__ import annotations

import subprocess
import time

import pytest

from mlops.identity import Identity, identify
from mlops.online import processes, state


@pytest.fixture
def stranger():
    """A harmless process that is not ours, leading its own process group."""
    process = subprocess.Popen(["sleep", "120"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def _plant(name: str, pid: int, *, record: bool) -> None:
    """Endpoint and deployment state naming `pid` as if this project had started it, and (with
    `record`) an identity record for it with another start time, as after a PID reuse."""
    state.endpoint_folder(name).mkdir(parents=True)
    state.save_endpoint(
        {"name": name, "port": 1, "gateway_pid": pid, "traffic": {}, "deployment_ports": {}}
    )
    deployment = {"name": "blue", "endpoint_name": name, "model": "m", "code": "."}
    deployment.update(scoring_script="s", port=2, pid=pid, log="user_logs.txt")
    state.save_deployment(deployment)
    if record:
        current = identify(pid)
        assert current is not None
        processes.record(Identity(pid, current.started - 3600, ("python", "-m", "gateway")))


@pytest.mark.parametrize("record", [True, False], ids=["reused PID", "unrecorded PID"])
def test_a_foreign_pid_in_state_is_reported_gone_and_never_signalled(cli, stranger, record):
    _plant("planted", stranger.pid, record=record)

    shown = cli.ok("online-endpoint", "show", "-n", "planted")
    deployment = cli.ok("online-deployment", "show", "-e", "planted", "-n", "blue")
    cli.ok("online-endpoint", "delete", "-n", "planted", "--yes")
    time.sleep(0.2)

    assert shown["provisioning_state"] == "Failed"
    assert deployment["provisioning_state"] == "Failed"
    assert stranger.poll() is None, "delete signalled a process that is not ours"
    assert not state.endpoint_folder("planted").exists()
    assert processes.recorded(stranger.pid) is None, "the stale record was kept"


def test_a_process_we_started_is_recognised_and_stopped(tmp_path):
    pid = processes.start_detached(["sleep", "120"], env={}, log=tmp_path / "sleep.log")

    assert processes.alive(pid)
    processes.stop(pid, grace_seconds=5)

    assert identify(pid) is None
    assert not processes.alive(pid)
