"""A trial's command and variables, the sweep's summary, a sweep node's rows in the live view
and the sweep-file check: no process."""

from __future__ import annotations

import io
import os
from pathlib import Path
from types import SimpleNamespace

from mlops import jobstore as store
from mlops.engine.plan import PlannedNode
from mlops.engine.progress import Progress
from mlops.engine.sweeps.job import is_sweep_file, trial_node
from mlops.engine.sweeps.table import summary_text

FIXTURE = Path(__file__).parent / "fixture"


def test_a_trial_gets_its_values_in_the_command_and_as_azureml_sweep_variables():
    base = PlannedNode(
        id="main",
        type="command",
        command=(
            "python t.py --lr ${{search_space.lr}} --name ${{ search_space.name }}"
            " --n ${{inputs.n}}"
        ),
        code=None,
        environment=None,
        environment_reference=None,
        environment_conda=None,
        component_environment_variables={},
        is_deterministic=False,
        inputs={},
        outputs={"model": "uri_folder"},
        environment_variables={"KEEP": "1"},
    )
    node = trial_node(base, 3, {"lr": 0.5, "name": "two words"})
    assert node.id == "trial_3"
    assert node.command == "python t.py --lr 0.5 --name 'two words' --n ${{inputs.n}}"
    assert node.environment_variables == {
        "KEEP": "1",
        "AZUREML_SWEEP_lr": "0.5",
        "AZUREML_SWEEP_name": "two words",
    }
    assert base.command.startswith("python t.py --lr ${{search_space.lr}}")


def test_sweep_files_are_told_from_other_jobs(tmp_path):
    assert is_sweep_file(FIXTURE / "sweep.yml")
    other = tmp_path / "job.yml"
    other.write_text("type: command\ncommand: echo sweep\n")
    assert not is_sweep_file(other)
    assert not is_sweep_file(tmp_path / "missing.yml")
    assert not is_sweep_file(Path("/dev/zero"))  # not read: the loader refuses it
    os.mkfifo(tmp_path / "pipe.yml")
    assert not is_sweep_file(tmp_path / "pipe.yml")


def test_the_summary_names_the_best_trial_and_its_parameters():
    record = {
        "name": "s1",
        "status": "Completed",
        "duration_s": 4.0,
        "objective": {"primary_metric": "score", "goal": "maximize"},
        "jobs": {
            "trial_0": {"status": "Completed"},
            "trial_1": {"status": "Failed", "log_tail": ["boom"], "log": "l.txt"},
        },
        "best_trial": {"name": "trial_0", "parameters": {"x": 0.25, "kind": "b"}, "metric": 1.5},
        "properties": {"job_folder": "/tmp/jobs/s1"},
        "outputs": {"model": {"path": "/tmp/jobs/s1/nodes/trial_0/outputs/model"}},
        "services": {"Studio": {"endpoint": "mlflow ui"}},
    }
    text = summary_text(record)
    assert "Sweep s1: Completed in 4.0 s -- 2 trials (1 Completed, 1 Failed)" in text
    assert "Best trial: trial_0  score=1.5  with x=0.25 kind=b" in text
    assert "    | boom" in text
    assert "model (best trial's): /tmp/jobs/s1/nodes/trial_0/outputs/model" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_live_view_draws_a_sweep_nodes_trials_under_it():
    out = _Terminal()
    progress = Progress(out)
    node = SimpleNamespace(status="Running", start_time=None)
    trial = SimpleNamespace(
        id="tune/trial_0",
        metric=0.5,
        suggestion=SimpleNamespace(parameters={"alpha": 0.25}),
        state=SimpleNamespace(status="Running", start_time=None, end_time=None, message=None),
    )
    progress.started("j1", ["tune"])
    progress.trials("tune", "score", [trial], None)
    progress.sweep_ended("tune", "Completed")  # the live view has no line for it
    progress.tick({"tune": node}, {})
    drawn = [line.removeprefix("\x1b[2K") for line in out.getvalue().splitlines()[1:]]
    assert [line.split() for line in drawn] == [
        ["…", "tune", "Running"],
        ["…", "tune/trial_0", "alpha=0.25", "Running", "score=0.5"],
    ]


def test_a_trial_that_starts_and_fails_between_two_ticks_still_has_its_log_followed():
    out = io.StringIO()
    progress = Progress(out, follow_logs=True)
    progress.started("j2", ["tune"])
    log = store.log_path("j2", "tune/trial_2")
    log.parent.mkdir(parents=True)
    log.write_text("x=5.0 is above 4.0: failing as asked\n", encoding="utf-8")
    trial = SimpleNamespace(
        id="tune/trial_2",
        metric=None,
        suggestion=SimpleNamespace(parameters={"x": 5.0}),
        state=SimpleNamespace(status="Failed", start_time=1.0, end_time=2.0, message="exit 1"),
    )

    progress.trials("tune", "score", [trial], None)  # no tick saw it running
    progress.trials("tune", "score", [trial], None)

    lines = out.getvalue().splitlines()
    assert lines.count("[tune/trial_2] x=5.0 is above 4.0: failing as asked") == 1
