"""`mlops job stream` waits for a job and prints its logs, as `az ml job stream` does; records
are written here as the engine writes them, so no pipeline runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tool_fixtures import Cli

from mlops import jobstore as store
from mlops.engine.status import engine_identity


def _record(name: str, status: str, logs: dict[str, Path], kind: str = "pipeline") -> dict:
    return {
        "name": name,
        "type": kind,
        "status": status,
        "properties": engine_identity(),
        "jobs": {
            node: {"status": status, "start_time": f"2026-01-01T00:00:0{i}", "log": str(log)}
            for i, (node, log) in enumerate(logs.items())
        },
    }


def _log(name: str, node: str, text: str) -> Path:
    log = store.log_path(name, node)
    log.parent.mkdir(parents=True)
    log.write_text(text)
    return log


def test_a_running_job_is_followed_to_its_end(mlops_home: Path) -> None:
    log = _log("live", "main", "epoch 1\n")
    store.save(_record("live", "Running", {"main": log}, kind="command"))

    def finish() -> None:
        time.sleep(1.0)
        with log.open("a") as stream:
            stream.write("epoch 2\nlast line without newline")
        store.save(_record("live", "Completed", {"main": log}, kind="command"))

    writer = threading.Thread(target=finish)
    writer.start()
    result = Cli().run("job", "stream", "-n", "live")
    writer.join()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == ["RunId: live", "", "epoch 1", "epoch 2", "last line without newline"]
    assert lines[-3:] == ["=================", "RunId: live", "Status: Completed"]


def test_a_finished_pipeline_prints_each_nodes_log_and_fails_as_the_job_did(
    mlops_home: Path,
) -> None:
    logs = {"prep": _log("done", "prep", "prepared\n"), "train": _log("done", "train", "boom\n")}
    store.save(_record("done", "Failed", logs))
    result = Cli().run("job", "stream", "-n", "done", "-g", "rg", "-w", "ws")
    assert result.exit_code == 1
    assert "[prep] prepared\n[train] boom\n" in result.stdout
    assert "Status: Failed" in result.stdout
    assert result.stderr.strip() == "ERROR: job done ended Failed."
    assert "does not exist" in Cli().error("job", "stream", "-n", "nope")


def test_a_sweep_node_s_trials_are_printed_with_their_names(mlops_home: Path) -> None:
    node_log = _log("swept", "tune", "Sweep node tune: Completed, 2 trials\n")
    record = _record("swept", "Completed", {"tune": node_log})
    record["jobs"]["tune"]["trials"] = [
        {"name": f"tune/trial_{n}", "log": str(_log("swept", f"tune/trial_{n}", f"alpha {n}\n"))}
        for n in (0, 1)
    ]
    store.save(record)
    result = Cli().run("job", "stream", "-n", "swept")
    assert result.exit_code == 0, result.output
    assert (
        "[tune] Sweep node tune: Completed, 2 trials\n"
        "[tune/trial_0] alpha 0\n[tune/trial_1] alpha 1\n"
    ) in result.stdout
