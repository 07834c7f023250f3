"""The parallel runner on its own: the driver process run on a spec, with real worker processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlops.parallel.spec import RunSpec, worker_variables

SCRIPTS = Path(__file__).parent / "scripts"


def make_input(folder: Path, files: dict[str, int]) -> Path:
    """A folder of files, each holding numbered lines `<file>-<n>`."""
    folder.mkdir(parents=True)
    for name, lines in files.items():
        (folder / name).write_text("".join(f"{name}-{n}\n" for n in range(lines)))
    return folder


def run_driver(tmp_path: Path, files: dict[str, int], **settings) -> tuple[int, str, Path]:
    """Run the driver on `files` with the behaviours script; returns exit code, log, state."""
    state = tmp_path / "state"
    state.mkdir()
    output = tmp_path / "out" / "parallel_run_step.txt"
    output.parent.mkdir()
    spec = RunSpec(
        input_path=str(make_input(tmp_path / "in", files)),
        mini_batch_size=settings.pop("mini_batch_size", 2),
        entry_script=str(SCRIPTS / "behaviours.py"),
        script_arguments=settings.pop("script_arguments", ["--state", str(state)]),
        search_path=[str(SCRIPTS)],
        workdir=str(tmp_path),
        workers=settings.pop("workers", 2),
        append_row_to=str(output),
        environment=worker_variables(str(output), {}, tmp_path),
        **settings,
    )
    spec_path = tmp_path / "spec.json"
    spec.save(spec_path)
    done = subprocess.run(
        [sys.executable, "-m", "mlops.parallel.driver", "--spec", str(spec_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stderr, state


def output_rows(tmp_path: Path) -> list[str]:
    return (tmp_path / "out" / "parallel_run_step.txt").read_text().splitlines()


def attempts(state: Path, name: str) -> int:
    return len(list(state.glob(f"attempt-{name}-*")))


def test_every_row_once_in_input_order_with_init_once_per_worker(tmp_path):
    files = {f"part-{n:02d}.csv": 3 + n for n in range(7)}
    code, log, state = run_driver(tmp_path, files, workers=2)
    assert code == 0, log
    expected = [f"{name} {name}-{n}" for name, lines in files.items() for n in range(lines)]
    assert output_rows(tmp_path) == expected
    initialised = {path.name.split("-")[1] for path in state.glob("init-*")}
    scored_by = {path.name.rsplit("-", 1)[1] for path in state.glob("attempt-*")}
    assert len(initialised) <= 2
    assert scored_by <= initialised
    assert all(attempts(state, name) == 1 for name in files)
    assert "Wrote 42 rows" in log


def test_workers_see_azures_output_path_and_write_their_own_files_there(tmp_path):
    code, log, _state = run_driver(tmp_path, {"own-a.csv": 2, "b.csv": 1}, workers=1)
    assert code == 0, log
    assert (tmp_path / "out" / "own-a.csv").read_text() == "own-a.csv-0\nown-a.csv-1\n"
    assert len(output_rows(tmp_path)) == 3


def test_without_append_row_the_output_path_is_the_first_folder_output(tmp_path):
    scored = tmp_path / "scored"
    scored.mkdir()
    assert worker_variables(None, {"scored": scored}, tmp_path) == {
        "AZUREML_BI_OUTPUT_PATH": str(scored)
    }
    assert worker_variables(None, {}, tmp_path)["AZUREML_BI_OUTPUT_PATH"] == str(
        tmp_path / "outputs"
    )


def test_a_failing_mini_batch_is_retried_then_counted_against_error_threshold(tmp_path):
    files = {"a.csv": 2, "bad.csv": 2, "c.csv": 2}
    code, log, state = run_driver(
        tmp_path, files, mini_batch_size=1, max_retries=2, error_threshold=0
    )
    assert code == 1
    assert attempts(state, "bad.csv") == 3
    assert "ValueError: cannot score bad.csv" in log
    assert "1 failed items exceed error_threshold 0" in log
    assert not (tmp_path / "out" / "parallel_run_step.txt").exists()


def test_failures_within_the_thresholds_leave_out_only_the_failed_items(tmp_path):
    files = {"a.csv": 2, "bad.csv": 2, "c.csv": 2}
    code, log, _ = run_driver(tmp_path, files, mini_batch_size=1, max_retries=0, error_threshold=1)
    assert code == 0, log
    assert output_rows(tmp_path) == [
        "a.csv a.csv-0",
        "a.csv a.csv-1",
        "c.csv c.csv-0",
        "c.csv c.csv-1",
    ]
    assert "1 failed mini-batches, 1 failed items" in log


def test_minus_one_ignores_every_failure(tmp_path):
    code, log, _ = run_driver(
        tmp_path, {"bad1.csv": 1, "bad2.csv": 1}, mini_batch_size=1, max_retries=0
    )
    assert code == 0, log
    assert output_rows(tmp_path) == []


def test_mini_batch_error_threshold_counts_failed_mini_batches(tmp_path):
    files = {"bad1.csv": 1, "x.csv": 1, "bad2.csv": 1, "y.csv": 1}
    code, log, _ = run_driver(
        tmp_path, files, mini_batch_size=1, max_retries=0, mini_batch_error_threshold=1
    )
    assert code == 1
    assert "2 failed mini-batches exceed mini_batch_error_threshold 1" in log


def test_a_mini_batch_that_raises_once_succeeds_on_retry(tmp_path):
    files = {"flaky.csv": 2, "ok.csv": 1}
    code, log, state = run_driver(tmp_path, files, mini_batch_size=1, error_threshold=0)
    assert code == 0, log
    assert attempts(state, "flaky.csv") == 2
    assert output_rows(tmp_path) == [
        "flaky.csv flaky.csv-0",
        "flaky.csv flaky.csv-1",
        "ok.csv ok.csv-0",
    ]
    assert "retrying" in log


def test_a_mini_batch_over_its_timeout_is_killed_and_retried_on_a_fresh_worker(tmp_path):
    files = {"slow.csv": 1, "ok.csv": 1}
    code, log, state = run_driver(
        tmp_path, files, mini_batch_size=1, workers=1, timeout_s=1.0, error_threshold=0
    )
    assert code == 0, log
    assert "timed out after 1 s" in log
    assert attempts(state, "slow.csv") == 2
    assert len(list(state.glob("init-*"))) == 2
    assert output_rows(tmp_path) == ["ok.csv ok.csv-0", "slow.csv slow.csv-0"]


def test_fewer_rows_than_items_count_as_failed_items(tmp_path):
    code, log, _ = run_driver(
        tmp_path, {"a.csv": 1, "short.csv": 1}, mini_batch_size=1, error_threshold=0
    )
    assert code == 1
    assert "returned 0 rows for 1 items" in log


@pytest.mark.parametrize("size", [1, 3, 10])
def test_mini_batch_size_is_files_per_mini_batch(tmp_path, size):
    files = {f"f{n}.csv": 1 for n in range(5)}
    code, log, _ = run_driver(tmp_path, files, mini_batch_size=size, workers=1)
    assert code == 0, log
    assert f"Scoring {-(-5 // size)} mini-batches of up to {size} files" in log


def test_an_init_that_fails_fails_the_run_with_its_traceback(tmp_path):
    code, log, _ = run_driver(tmp_path, {"a.csv": 1}, script_arguments=[])
    assert code == 1
    assert "init() failed in a worker" in log
    assert "the following arguments are required: --state" in log
    assert not (tmp_path / "out" / "parallel_run_step.txt").exists()
