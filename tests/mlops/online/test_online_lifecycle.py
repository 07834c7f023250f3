"""Deployments' lifecycle: failed init, crash, update, delete, keys and loopback binding."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tool_fixtures import ENDPOINT, MODEL, ONLINE, PROJECT, SMOKE_TEST, Live, auth, call

from mlops.errors import MlopsError, UsageError
from mlops.online import deployments, endpoints, processes, state
from mlops.overrides import Overrides

pytestmark = pytest.mark.slow

BLUE = ONLINE / "blue-deployment.yml"


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, status = line.split()[1:4]
            address, port_hex = local.rsplit(":", 1)
            if int(port_hex, 16) == port and status == "0A":
                found.add(address)
    return found


def test_the_gateway_listens_on_loopback_only_and_servers_on_private_sockets(
    online: Live,
) -> None:
    port = endpoints.state.load_endpoint(ENDPOINT)["port"]

    assert listening_addresses(port) == {"0100007F"}
    for deployment in state.all_deployments(ENDPOINT):
        assert stat.S_ISSOCK(os.stat(deployment["socket"]).st_mode)
        assert stat.S_IMODE(os.stat(Path(deployment["socket"]).parent).st_mode) == 0o700


def test_keys_are_owner_only_and_never_logged(online: Live) -> None:
    keys_file = state.endpoint_folder(ENDPOINT) / "keys.json"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    logs = [state.endpoint_folder(ENDPOINT) / "gateway.log"]
    logs += [Path(d["log"]) for d in state.all_deployments(ENDPOINT)]
    for log in logs:
        assert online.key not in log.read_text()


def test_a_failing_init_fails_create_with_the_log_and_leaves_nothing_running(
    online: Live, tmp_path: Path
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "score.py").write_text(
        "def init():\n    raise RuntimeError('model file is corrupt')\n\n"
        "def run(data):\n    return data\n"
    )
    broken = tmp_path / "broken.yml"
    broken.write_text(
        BLUE.read_text().replace("../../src", str(code)).replace("tiny/score.py", "score.py")
    )

    with pytest.raises(MlopsError) as raised:
        deployments.create_deployment(
            broken, name="broken", overrides=Overrides(set=(f"model=azureml:{MODEL}:1",))
        )

    assert "model file is corrupt" in str(raised.value)
    assert not state.deployment_folder(ENDPOINT, "broken").exists()
    assert "broken" not in state.load_endpoint(ENDPOINT)["deployment_routes"]


def test_a_crashed_deployment_shows_failed_with_its_log_and_delete_frees_its_socket(
    online: Live,
) -> None:
    created = deployments.create_deployment(
        BLUE, name="crashy", overrides=Overrides(set=(f"model=azureml:{MODEL}:1",))
    )
    socket_path, pid = created["properties"]["socket"], created["properties"]["pid"]
    os.killpg(pid, signal.SIGKILL)
    deadline = time.time() + 10
    while processes.alive(pid) and time.time() < deadline:
        time.sleep(0.1)

    listed = {d["name"]: d["provisioning_state"] for d in deployments.list_deployments(ENDPOINT)}
    assert listed == {"blue": "Succeeded", "green": "Succeeded", "crashy": "Failed"}
    assert "Users's init has completed successfully" in deployments.get_logs(
        ENDPOINT, "crashy", 200
    )

    deployments.delete_deployment(ENDPOINT, "crashy")
    assert not Path(socket_path).exists()
    assert "crashy" not in state.load_endpoint(ENDPOINT)["deployment_routes"]


def test_a_deployment_with_traffic_cannot_be_deleted(online: Live) -> None:
    with pytest.raises(MlopsError, match="takes 100% of tiny-endpoint's traffic"):
        deployments.delete_deployment(ENDPOINT, "blue")


def test_update_swaps_the_model_without_dropping_requests(online: Live) -> None:
    before = call(online.uri, auth(online))[2]["result"]
    green = call(online.uri, auth(online, **{"azureml-model-deployment": "green"}))[2]["result"]
    old_pid = state.load_deployment(ENDPOINT, "blue")["pid"]
    try:
        deployments.update_deployment(BLUE, overrides=Overrides(set=(f"model=azureml:{MODEL}:2",)))
        assert call(online.uri, auth(online))[2]["result"] == green
        assert not processes.alive(old_pid)
    finally:
        deployments.update_deployment(BLUE, overrides=Overrides(set=(f"model=azureml:{MODEL}:1",)))
    assert call(online.uri, auth(online))[2]["result"] == before


def test_update_without_a_file_keeps_its_yaml_and_earlier_overrides(online: Live) -> None:
    def timeout(milliseconds: int) -> dict:
        return deployments.update_deployment(
            None,
            endpoint_name=ENDPOINT,
            name="green",
            overrides=Overrides(set=(f"request_settings.request_timeout_ms={milliseconds}",)),
        )

    # Not set back to 5000 afterwards (another restart of green's server): no later test
    # depends on green's timeout.
    shown = timeout(7000)
    assert shown["request_settings"]["request_timeout_ms"] == 7000
    assert shown["model"] == f"azureml:{MODEL}:2", "the --set it was created with is kept"
    assert state.load_endpoint(ENDPOINT)["deployment_routes"]["green"]["timeout_ms"] == 7000
    with pytest.raises(UsageError, match="give -f/--file, or -n/--name and -e/--endpoint-name"):
        deployments.update_deployment(None, name="green")


def test_the_smoke_test_passes_on_each_deployment_and_fails_on_a_wrong_key(online: Live) -> None:
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for deployment in ("blue", "green"):
        passed = subprocess.run(
            [
                sys.executable,
                str(SMOKE_TEST),
                "--endpoint-name",
                ENDPOINT,
                "-d",
                deployment,
            ],
            cwd=PROJECT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert passed.returncode == 0, passed.stderr
        assert f"Smoke test passed (deployment {deployment}): 2 predictions" in passed.stderr

    failed = subprocess.run(
        [
            sys.executable,
            str(SMOKE_TEST),
            "--scoring-uri",
            online.uri,
            "--key",
            "wrong",
        ],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert "SMOKE TEST FAILED" in failed.stderr and "401" in failed.stderr
