"""Failures: continue_on_step_failure, bad input that runs nothing, read-only inputs, cancel."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tool_fixtures import statuses

from mlops import jobstore as store
from mlops.engine import create_job
from mlops.errors import ProblemsFound


@pytest.mark.slow
def test_a_failure_starts_no_new_node_and_the_job_fails(pipelines: Path) -> None:
    record = create_job(pipelines / "failing.yml", max_parallel=1)

    assert record["status"] == "Failed"
    assert statuses(record) == {
        "a_fails": "Failed",
        "b_independent": "NotStarted",
        "c_after_failure": "NotStarted",
    }
    failed = record["jobs"]["a_fails"]
    assert failed["exit_code"] == 3
    assert "step a_fails fails on purpose" in failed["log_tail"]
    assert Path(failed["log"]).read_text().strip() == "step a_fails fails on purpose"


@pytest.mark.slow
def test_continue_on_step_failure_runs_the_independent_nodes(pipelines: Path) -> None:
    record = create_job(
        pipelines / "failing.yml",
        max_parallel=1,
        set_values=["settings.continue_on_step_failure=true"],
    )

    assert record["status"] == "Failed"
    assert statuses(record) == {
        "a_fails": "Failed",
        "b_independent": "Completed",
        "c_after_failure": "NotStarted",
    }
    assert "upstream" in record["jobs"]["c_after_failure"]["message"]


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ("jobs.left.inputs.sleep=-1", "jobs.left.inputs.sleep", "below the minimum 0"),
        ("jobs.left.inputs.sleep=soon", "jobs.left.inputs.sleep", "not a valid number"),
        (
            "jobs.left.inputs.first=${{parent.jobs.nowhere.outputs.out}}",
            "jobs.left.inputs.first",
            "does not exist",
        ),
    ],
)
def test_bad_input_is_reported_before_anything_runs(
    pipelines: Path, override: str, field: str, message: str
) -> None:
    with pytest.raises(ProblemsFound) as raised:
        create_job(pipelines / "diamond.yml", set_values=[override], name="never_ran")

    assert [(p.field, message in p.message) for p in raised.value.problems] == [(field, True)]
    assert not store.exists("never_ran")


def test_a_missing_local_input_path_is_reported_before_anything_runs(pipelines: Path) -> None:
    with pytest.raises(ProblemsFound) as raised:
        create_job(
            pipelines / "vandal.yml",
            set_values=["inputs.data.path=./no_such_folder"],
            name="never_ran",
        )

    assert "no_such_folder does not exist" in str(raised.value)
    assert not store.exists("never_ran")


@pytest.mark.slow
def test_a_node_that_writes_into_its_read_only_input_fails(pipelines: Path) -> None:
    record = create_job(pipelines / "vandal.yml")

    assert statuses(record) == {"source": "Completed", "writes_into_input": "Failed"}
    assert (
        "wrote into its read-only input(s) first"
        in Path(record["jobs"]["writes_into_input"]["log"]).read_text()
    )


def _ctrl_c_as_in_a_terminal() -> None:
    """SIGINT at its default, as for a command typed in a terminal: a suite started in the
    background (`make test &`, some CI runners) hands its processes SIGINT ignored, and Python
    then never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["mlops job cancel", "Ctrl-C"])
def test_cancel_stops_the_nodes_and_a_rerun_reuses_what_finished(pipelines: Path, how: str) -> None:
    command = [
        sys.executable,
        "-m",
        "mlops",
        "job",
        "create",
        "-f",
        str(pipelines / "slow.yml"),
        "--name",
        "to_cancel",
    ]
    engine = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    pid_file = store.node_folder("to_cancel", "slow") / "outputs" / "pid"
    deadline = time.time() + 60
    while not pid_file.exists() and time.time() < deadline and engine.poll() is None:
        time.sleep(0.1)
    assert pid_file.exists(), engine.communicate()
    node_pid = int(pid_file.read_text())

    if how == "Ctrl-C":
        engine.send_signal(signal.SIGINT)
    else:
        canceled = subprocess.run(
            [sys.executable, "-m", "mlops", "job", "cancel", "-n", "to_cancel"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(canceled.stdout)["status"] == "CancelRequested"
    _out, err = engine.communicate(timeout=30)

    assert engine.returncode == (130 if how == "Ctrl-C" else 1), err
    record = store.load("to_cancel")
    assert record["status"] == "Canceled"
    assert statuses(record) == {"quick": "Completed", "slow": "Canceled", "never": "NotStarted"}
    with pytest.raises(ProcessLookupError):
        os.kill(node_pid, 0)

    rerun = create_job(pipelines / "slow.yml", set_values=["jobs.slow.inputs.sleep=0"])
    assert statuses(rerun) == {"quick": "Reused", "slow": "Completed", "never": "Completed"}


@pytest.mark.slow
def test_bytecode_python_writes_into_a_read_only_input_it_imports_is_no_change(
    pipelines: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make train` clears PYTHONDONTWRITEBYTECODE, so a step that imports Python from an input
    # (an MLflow model's code_paths) writes __pycache__ there where the read-only mode does not
    # hold (root, as in CI): Azure's ro_mount drops such writes, so it must not fail the node.
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "")
    shutil.copytree(pipelines / "seed", pipelines / "lib")
    (pipelines / "lib" / "helper.py").write_text("VALUE = 7\n")
    job = pipelines / "imports_input.yml"
    job.write_text(
        (pipelines / "command_job.yml")
        .read_text()
        .replace(
            "python step.py",
            'python -c "import sys; sys.path.insert(0, sys.argv[1]); import helper"'
            " ${{inputs.data}}; python step.py",
        )
        .replace("./seed", "./lib")
    )

    record = create_job(job)

    assert record["status"] == "Completed", record["jobs"]["main"]["log_tail"]
