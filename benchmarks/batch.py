"""Local parallel batch scoring: 2 workers vs 1 on a 100,000-row input, measured side by side.

Each run is the real node process (`python -m mlops.parallel.driver`) on the sample entry script
(`diabetes_regression/score_batch.py`): 100 CSV files of 1,000 rows, 5 files per mini-batch.
So that scoring, not start-up, dominates, the model is a 2000-tree random forest fitted on the
diabetes data (the sample's Ridge model scores 100,000 rows in milliseconds). Numeric libraries
are held to one thread per worker so the workers, not BLAS, give the parallelism. The wall time
includes starting the workers and each worker's init(). Target: 1 worker / 2 workers >= 1.7.

The machine's own ceiling is measured beside it: the same script run with no runner, by one
plain process over every file vs two plain processes over half the files each. On a shared
machine the ceiling is below 2; the runner's efficiency is its speed-up over the ceiling's.

Usage: .venv/bin/python benchmarks/batch.py [--repeat N] [--trees N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS, FILES, FILES_PER_MINI_BATCH = 100_000, 100, 5
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def write_inputs(folder: Path) -> None:
    """100 files of 1,000 rows: the diabetes features, resampled with a little noise."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(ROOT / "src"))
    from diabetes_regression.data import FEATURE_COLUMNS
    from diabetes_regression.make_sample_data import sample_frame

    features = sample_frame().loc[:, list(FEATURE_COLUMNS)].to_numpy()
    rng = np.random.default_rng(0)
    rows = features[rng.integers(0, len(features), ROWS)] + rng.normal(0, 0.002, (ROWS, 10))
    folder.mkdir()
    per_file = ROWS // FILES
    for number in range(FILES):
        part = pd.DataFrame(
            rows[number * per_file : (number + 1) * per_file], columns=FEATURE_COLUMNS
        )
        part.to_csv(folder / f"part-{number:03d}.csv", index=False)


def save_model(folder: Path, trees: int) -> None:
    """A random forest on the diabetes data, saved as an MLflow model."""
    import mlflow.sklearn
    from sklearn.ensemble import RandomForestRegressor

    from diabetes_regression.data import FEATURE_COLUMNS, TARGET_COLUMN
    from diabetes_regression.make_sample_data import sample_frame

    frame = sample_frame()
    model = RandomForestRegressor(n_estimators=trees, random_state=0)
    model.fit(frame.loc[:, list(FEATURE_COLUMNS)], frame[TARGET_COLUMN])
    mlflow.sklearn.save_model(model, str(folder), serialization_format="pickle")


def run(workdir: Path, inputs: Path, model: Path, workers: int, label: str) -> tuple[float, Path]:
    """One driver run; returns its wall time and the output file."""
    from mlops.parallel.spec import RunSpec

    output = workdir / f"{label}.txt"
    spec = RunSpec(
        input_path=str(inputs),
        mini_batch_size=FILES_PER_MINI_BATCH,
        entry_script=str(ROOT / "src" / "diabetes_regression" / "score_batch.py"),
        script_arguments=["--model", str(model)],
        search_path=[str(ROOT / "src")],
        workdir=str(workdir),
        workers=workers,
        timeout_s=600,
        error_threshold=0,
        logging_level="WARNING",
        append_row_to=str(output),
        environment=ONE_THREAD,
    )
    spec_path = workdir / f"{label}.json"
    spec.save(spec_path)
    env = {**os.environ, **ONE_THREAD, "MLFLOW_DISABLE_TELEMETRY": "true"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mlops.parallel.driver", "--spec", str(spec_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"the {label} run failed:\n{done.stderr[-3000:]}")
    return seconds, output


DIRECT = """
import sys
sys.path.insert(0, {src!r})
sys.argv = ["score_batch.py", "--model", {model!r}]
from diabetes_regression import score_batch
score_batch.init()
files = {files!r}
for start in range(0, len(files), {size}):
    score_batch.run(files[start : start + {size}])
"""


def direct(inputs: Path, model: Path, processes: int) -> float:
    """The ceiling: the entry script run by `processes` plain processes, files split evenly."""
    files = sorted(str(path) for path in inputs.glob("*.csv"))
    env = {**os.environ, **ONE_THREAD, "MLFLOW_DISABLE_TELEMETRY": "true"}
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                DIRECT.format(
                    src=str(ROOT / "src"),
                    model=str(model),
                    files=files[number::processes],
                    size=FILES_PER_MINI_BATCH,
                ),
            ],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        for number in range(processes)
    ]
    if any(process.wait() for process in running):
        raise SystemExit("a direct scoring process failed")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each, interleaved (2).")
    parser.add_argument("--trees", type=int, default=2000, help="Trees in the forest (2000).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlops-batch-bench-") as temp:
        workdir = Path(temp)
        write_inputs(workdir / "inputs")
        save_model(workdir / "model", args.trees)
        times: dict[int, list[float]] = {1: [], 2: []}
        ceiling: dict[int, list[float]] = {1: [], 2: []}
        outputs: dict[int, str] = {}
        for repeat in range(args.repeat):
            for workers in (1, 2) if repeat % 2 == 0 else (2, 1):
                seconds, output = run(
                    workdir, workdir / "inputs", workdir / "model", workers, f"w{workers}r{repeat}"
                )
                times[workers].append(seconds)
                outputs[workers] = output.read_text()
                ceiling[workers].append(direct(workdir / "inputs", workdir / "model", workers))
        lines = outputs[1].count("\n")
        assert lines == ROWS, f"expected {ROWS} rows, got {lines}"
        assert outputs[1] == outputs[2], "1 and 2 workers gave different output"
        one, two = statistics.median(times[1]), statistics.median(times[2])
        print(
            f"cores: {os.cpu_count()}; {ROWS:,} rows in {FILES} files, "
            f"{FILES // FILES_PER_MINI_BATCH} mini-batches, {args.trees}-tree forest"
        )
        print(f"{'':>22} {'runner s':>9} {'no runner s':>12}  (median of {args.repeat})")
        for workers in (1, 2):
            print(
                f"{workers} worker(s)/process(es) {statistics.median(times[workers]):>9.2f} "
                f"{statistics.median(ceiling[workers]):>12.2f}"
            )
        floor = statistics.median(ceiling[1]) / statistics.median(ceiling[2])
        print(f"runner speed-up, 2 vs 1 workers: {one / two:.2f}x (target >= 1.7x)")
        print(f"machine ceiling, 2 vs 1 plain processes: {floor:.2f}x")
        print(f"runner efficiency: {one / two / floor:.0%} of the ceiling; output identical")


if __name__ == "__main__":
    main()
