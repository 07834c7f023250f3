"""Sweep parallelism: a 12-trial sweep with max_concurrent_trials 2 vs the same 12 trials one
at a time (max_concurrent_trials 1). Target: <= 0.6 of the sequential time on 2 cores.

Both sweeps sample the same 12 points (random sampling, seed 1) of the tool's tiny trial
(tests/mlops/sweep/fixture), which logs its metric to MLflow. Beside the ratio, what the
machine allows: two trial commands run directly, both at once vs one after the other (on a
shared machine two processes rarely get two whole cores).

Usage: .venv/bin/python benchmarks/sweep.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "mlops" / "sweep" / "fixture"
MLOPS = [sys.executable, "-m", "mlops"]
RANDOM_12 = """sampling_algorithm:
  type: random
  seed: 1
search_space:
  x:
    type: uniform
    min_value: 0
    max_value: 6
  kind:
    type: choice
    values: [a, b]
"""


def sweep_file(folder: Path) -> Path:
    """The fixture sweep, made a 12-trial random sweep."""
    shutil.copytree(FIXTURE, folder / "sweep", ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / "sweep" / "sweep.yml"
    text = path.read_text()
    start, end = text.index("sampling_algorithm:"), text.index("objective:")
    text = text[:start] + RANDOM_12 + text[end:]
    path.write_text(text.replace("max_total_trials: 6", "max_total_trials: 12"))
    return path


def run_sweep(path: Path, home: Path, concurrent: int) -> tuple[float, dict]:
    """Wall seconds of `mlops job create` on the sweep and its record."""
    limit = f"limits.max_concurrent_trials={concurrent}"
    started = time.perf_counter()
    done = subprocess.run(
        [*MLOPS, "job", "create", "-f", str(path), "--set", limit],
        env={**os.environ, "MLOPS_HOME": str(home), "MLFLOW_DISABLE_TELEMETRY": "true"},
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"sweep failed:\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout)


def machine_allows(record: dict, home: Path) -> float:
    """Two of the sweep's trial commands run directly: both at once / one after the other."""
    commands = [trial["command"] for trial in list(record["jobs"].values())[:2]]
    folders = [trial["working_directory"] for trial in list(record["jobs"].values())[:2]]
    environment = {
        **os.environ,
        # `python` in a trial's command is the engine's interpreter, as the engine runs it.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "MLFLOW_TRACKING_URI": f"sqlite:///{home / 'mlflow.db'}",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    started = time.perf_counter()
    for command, folder in zip(commands, folders, strict=True):
        subprocess.run(command, cwd=folder, env=environment, check=True, capture_output=True)
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, cwd=folder, env=environment, stdout=subprocess.DEVNULL)
        for command, folder in zip(commands, folders, strict=True)
    ]
    for process in processes:
        process.wait()
    return (time.perf_counter() - started) / sequential


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        path = sweep_file(folder)
        home = folder / "home"
        ratios, machine = [], []
        for attempt in range(args.repeat):
            parallel, record = run_sweep(path, home, 2)
            print(f"run {attempt + 1}: 2 at once {parallel:.1f} s", flush=True)
            sequential, sequential_record = run_sweep(path, home, 1)
            print(f"run {attempt + 1}: one at a time {sequential:.1f} s", flush=True)
            same = [t["parameters"] for t in record["jobs"].values()] == [
                t["parameters"] for t in sequential_record["jobs"].values()
            ]
            ratios.append(parallel / sequential)
            machine.append(machine_allows(record, home))
            print(
                f"run {attempt + 1}: 12 trials, 2 at once {parallel:6.1f} s | "
                f"one at a time {sequential:6.1f} s | ratio {ratios[-1]:.2f} "
                f"(target <= 0.6) | machine allows {machine[-1]:.2f} | same points: {same}"
            )
        print(
            f"median ratio {statistics.median(ratios):.2f} (target <= 0.6); two trial commands "
            f"at once vs in turn, no engine: {statistics.median(machine):.2f}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
