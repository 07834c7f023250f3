"""Concurrent create, update and delete of deployments on one endpoint lose no change; batch
endpoint changes take the same lock."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCORE = """import os


def init():
    pass


def run(raw_data):
    return {"deployment": os.environ["WHO"]}
"""


def _deployment(folder: Path, name: str) -> Path:
    """A deployment YAML of endpoint `race` whose server answers with its own name."""
    (folder / "code").mkdir(exist_ok=True)
    (folder / "code" / "score.py").write_text(SCORE)
    (folder / "model").mkdir(exist_ok=True)
    (folder / "model" / "weights.txt").write_text("1\n")
    path = folder / f"{name}.yml"
    path.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        f"name: {name}\nendpoint_name: race\nmodel:\n  path: ./model\n"
        "code_configuration:\n  code: ./code\n  scoring_script: score.py\n"
        "environment: azureml:anything@latest\ninstance_type: Standard_DS3_v2\n"
        f"instance_count: 1\nenvironment_variables:\n  WHO: {name}\n"
    )
    return path


def _at_once(*commands: list[str]) -> None:
    """Run `mlops` commands in parallel processes; each must succeed."""
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "mlops", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    for process, command in zip(running, commands, strict=True):
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{command}: {err}"


@pytest.mark.slow
def test_concurrent_deployment_changes_lose_nothing(cli, mlops_home, tmp_path):
    blue, green = _deployment(tmp_path, "blue"), _deployment(tmp_path, "green")
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"data": [[1]]}))
    cli.ok("online-endpoint", "create", "-n", "race")
    try:
        _at_once(
            ["online-deployment", "create", "-f", str(blue), "--all-traffic"],
            ["online-deployment", "create", "-f", str(green)],
        )
        listed = {d["name"] for d in cli.ok("online-deployment", "list", "-e", "race")}
        invoke = ("online-endpoint", "invoke", "-n", "race", "-r", str(request))
        answers = {name: cli.ok(*invoke, "--deployment-name", name) for name in ("blue", "green")}
        assert listed == {"blue", "green"}
        assert answers == {name: {"deployment": name} for name in ("blue", "green")}

        _at_once(
            ["online-endpoint", "update", "-n", "race", "--mirror-traffic", "green=10"],
            ["online-deployment", "update", "-f", str(blue)],
        )
        endpoint = cli.ok("online-endpoint", "show", "-n", "race")
        assert (endpoint["traffic"], endpoint["mirror_traffic"]) == ({"blue": 100}, {"green": 10})

        _at_once(
            ["online-endpoint", "update", "-n", "race", "--mirror-traffic", "green=0"],
            ["online-deployment", "update", "-f", str(blue)],
        )
        _at_once(["online-deployment", "delete", "-e", "race", "-n", "green", "--yes"])
        listed = {d["name"] for d in cli.ok("online-deployment", "list", "-e", "race")}
        answer = cli.ok("online-endpoint", "invoke", "-n", "race", "-r", str(request))
        assert listed == {"blue"}
        assert answer == {"deployment": "blue"}
        assert cli.ok("online-endpoint", "show", "-n", "race")["traffic"] == {"blue": 100}
    finally:
        cli.ok("online-endpoint", "delete", "-n", "race", "--yes")


HOLDER = """
import sys, time
from pathlib import Path
from mlops.online import state

with state.locked():
    endpoint = state.load_endpoint("held")
    Path(sys.argv[1]).touch()
    time.sleep(1.5)
    endpoint["tags"] = {"changed_by": "the other command"}
    state.save_endpoint(endpoint)
"""


@pytest.mark.slow
def test_a_change_waits_for_another_commands_change_and_keeps_it(cli, mlops_home, tmp_path):
    endpoint = tmp_path / "endpoint.yml"
    yaml = (
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
        "name: held\nauth_mode: key\ndescription: {}\n"
    )
    endpoint.write_text(yaml.format("first"))
    cli.ok("online-endpoint", "create", "-f", str(endpoint))
    endpoint.write_text(yaml.format("changed by this command"))
    try:
        ready = tmp_path / "holding"
        other = subprocess.Popen([sys.executable, "-c", HOLDER, str(ready)])
        while not ready.exists() and other.poll() is None:
            time.sleep(0.02)
        # Started while the other command holds the state: it must wait, then build on it.
        cli.ok("online-endpoint", "create", "-f", str(endpoint))
        assert other.wait(timeout=30) == 0
        shown = cli.ok("online-endpoint", "show", "-n", "held")
    finally:
        cli.ok("online-endpoint", "delete", "-n", "held", "--yes")

    assert shown["description"] == "changed by this command"
    assert shown["tags"] == {"changed_by": "the other command"}


def test_batch_endpoint_changes_wait_for_the_endpoint_state_lock() -> None:
    import threading

    from mlops.batch import endpoints as batch_endpoints
    from mlops.batch import state as batch_state
    from mlops.online import state as online_state

    created = threading.Thread(target=batch_endpoints.create_endpoint, args=(None, "waits"))
    with online_state.locked():
        created.start()
        time.sleep(0.5)
        assert created.is_alive(), "create_endpoint changed batch state without the lock"
        assert not (batch_state.endpoint_folder("waits") / batch_state.ENDPOINT_FILE).exists()
    created.join(timeout=10)

    assert batch_endpoints.show_endpoint("waits")["name"] == "waits"
