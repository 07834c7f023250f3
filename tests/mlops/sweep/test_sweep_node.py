"""A pipeline's `type: sweep` node (fixture/pipeline.yml): its trials run as child jobs, the
downstream node reads the best trial's output, a failing trial does not fail the node, and the
`--stream` progress lists the trials as they change; a rerun reuses the node. One pipeline run
(and its rerun), asserted on all of it; the trials are fixture/src/trial.py."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from mlops.engine import create_job
from mlops.validation import validate_paths

FIXTURE = Path(__file__).parent / "fixture"

pytestmark = pytest.mark.slow


@pytest.fixture
def folder(tmp_path: Path, mlops_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "sweep"
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(target)
    return target


def test_the_next_node_reads_the_best_trials_output_and_a_failed_trial_is_tolerated(folder):
    """Grid x in 1, 3, 5 with kind b: x=5 fails (fail_above 4), x=3 scores best (1.0)."""
    assert validate_paths([folder / "pipeline.yml"]) == []
    progress = io.StringIO()
    record = create_job(
        folder / "pipeline.yml", name="node1", stream=True, progress_stream=progress
    )
    assert record["status"] == "Completed"
    tune, consume = record["jobs"]["tune"], record["jobs"]["consume"]
    assert tune["type"] == "sweep" and tune["status"] == "Completed"
    by_x = {trial["parameters"]["x"]: trial for trial in tune["trials"]}
    statuses = {x: trial["status"] for x, trial in by_x.items()}
    assert statuses == {1: "Completed", 3: "Completed", 5: "Failed"}
    assert tune["best_trial"] == by_x[3]["name"] == "tune/trial_1"
    assert tune["metrics"] == {"score": 1.0}
    # The node's output is the best trial's, and the next node read it (by value).
    assert tune["outputs"]["model"].endswith("tune/trial_1/outputs/model")
    copied = Path(consume["outputs"]["copy"]) / "params.json"
    assert json.loads(copied.read_text()) == {"x": 3.0, "kind": "b"}
    assert record["outputs"]["best_model"]["path"] == tune["outputs"]["model"]
    # Trials are child runs of the sweep node's run, as in Azure's studio.
    from mlops import tracking

    trial_run = tracking.client().get_run(by_x[3]["mlflow_run_id"])
    assert trial_run.data.tags["mlflow.parentRunId"] == tune["mlflow_run_id"]
    assert trial_run.data.tags["hyperparameter.x"] == "3"
    _the_progress_lists_the_trials_and_names_the_best(progress.getvalue())

    # Run again unchanged: the sweep node is reused as any node is, with its best outputs.
    again = create_job(folder / "pipeline.yml", name="node2", progress_stream=io.StringIO())
    reused = again["jobs"]["tune"]
    assert (reused["status"], reused["reused_from"]) == ("Reused", "node1/tune")
    assert reused["outputs"]["model"] == tune["outputs"]["model"]
    assert reused["metrics"] == {"score": 1.0}
    assert again["jobs"]["consume"]["status"] == "Reused"


def _the_progress_lists_the_trials_and_names_the_best(text: str) -> None:
    """Plain lines (a CI log): one per trial change, the best so far, a summary at the end."""
    assert "\x1b" not in text  # no redraws in a non-terminal
    lines = text.splitlines()
    trial_1 = [line.split() for line in lines if line.lstrip()[2:].startswith("tune/trial_1 ")]
    # Started, its metric as it arrived, then Completed and marked best; parameters on each line.
    assert [words[3] for words in trial_1] == ["Running", "Running", "Completed"]
    assert {tuple(words[1:3]) for words in trial_1} == {("tune/trial_1", "x=3")}
    assert [words[6:] for words in trial_1] == [[], ["score=1"], ["score=1", "★", "best"]]
    assert trial_1[-1][0] == "✓"
    failed = next(line for line in lines if line.lstrip().startswith("✗ tune/trial_2"))
    assert failed.split()[2:4] == ["x=5", "Failed"]
    # The failed trial's own last line, followed with --stream.
    assert "[tune/trial_2] x=5.0 is above 4.0: failing as asked" in lines
    best_so_far = [line for line in lines if line.startswith("  best so far: ")]
    assert best_so_far[-1] == "  best so far: tune/trial_1 score=1 with x=3"
    assert (
        "  tune: sweep Completed, 3 trials (2 Completed, 1 Failed); "
        "best trial tune/trial_1 score=1 with x=3"
    ) in lines
    # The node ends after its summary, and only then does the next node start.
    ended = next(i for i, line in enumerate(lines) if line.startswith("  tune: Completed ("))
    assert lines[ended - 1].startswith("  tune: sweep Completed")
    assert lines[ended + 1] == "  consume: Running"
    assert "    best trial: tune/trial_1 with x=3" in lines
