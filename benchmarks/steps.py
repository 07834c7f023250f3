"""CPU of each of the sample's training steps as the engine runs them, side by side (#15, #17).

Runs prep_data, train_model, evaluate_model and register_model in sequence, twice on one new
store (the second time the gate has a production model to compare against), each step in its
own process with a child run of its own and the variables the engine sets (MLflow's, Azure's),
and prints each step's CPU seconds (user + system, its subprocesses included): on 2 shared
cores CPU time is the figure that holds, wall time moves with the other sessions' load.

Each variant is a step code folder (`--src`, default this checkout's `src/`; give a baseline
checkout's `src/` to compare code) run two ways: `overlay`, in the overlay venv a node runs in
(`mlops.environments.overlay`, which freezes the process's objects at exit), and `plain`, on the
interpreter itself (as the steps run by hand). Variants alternate, `--repeat` times.

Figures (December 2026, 2 shared cores, medians of 2, first run / second run, seconds of CPU):
before -- the baseline's code on the plain interpreter, as the engine ran it -- prep 0.50 /
0.47, train 4.59 / 4.87, evaluate 5.80 / 5.82, register 2.64 / 2.57, all 27.3; after -- this
code in the overlay (its objects frozen at exit; the gate's new model loaded without MLflow's
requirements check) -- prep 0.44 / 0.46, train 3.61 / 3.83, evaluate 4.28 / 4.77, register
2.21 / 2.32, all 21.9.

Usage: .venv/bin/python benchmarks/steps.py [--src DIR ...] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "diabetes"
EXPERIMENT = "diabetes_regression"


def _steps(out: Path) -> list[tuple[str, list[str]]]:
    return [
        ("prep", ["prep_data", "--raw_data", str(DATA), "--train_data", f"{out}/train",
                  "--test_data", f"{out}/test"]),
        ("train", ["train_model", "--train_data", f"{out}/train", "--model", f"{out}/model"]),
        ("evaluate", ["evaluate_model", "--model", f"{out}/model", "--test_data", f"{out}/test",
                      "--evaluation", f"{out}/evaluation"]),
        ("register", ["register_model", "--model", f"{out}/model", "--evaluation",
                      f"{out}/evaluation", "--training_data", str(DATA), "--registration",
                      f"{out}/registration"]),
    ]  # fmt: skip


def _python(folder: Path, overlay: bool) -> str:
    if not overlay:
        return sys.executable
    from mlops.environments.overlay import engine_site_packages, make_overlay

    base = Path(getattr(sys, "_base_executable", None) or sys.executable).resolve()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    bin_folder = make_overlay(folder, base, engine_site_packages(), version, sys.version.split()[0])
    return str(bin_folder / "python")


def one_variant(src: Path, overlay: bool, scratch: Path) -> dict[str, float]:
    """CPU seconds of each step (`train1`: train's first run) on a new store under `scratch`."""
    os.environ["MLOPS_HOME"] = str(scratch / "home")
    from mlops import tracking
    from mlops.engine.localruns import LocalRuns

    environment = {**os.environ, **tracking.mlflow_environment(), "PYTHONPATH": str(src)}
    location = (tracking.artifact_root() / EXPERIMENT).as_uri()
    runs = LocalRuns.open(tracking.local_database(), EXPERIMENT, location)
    assert runs is not None, "the store template is missing: run a pipeline once first"
    python = _python(scratch / "venv", overlay)
    figures = {}
    for attempt in (1, 2):
        job = runs.create(f"job{attempt}", {})
        for step, argv in _steps(scratch / f"run{attempt}"):
            run_id = runs.create(step, {"mlflow.parentRunId": job})
            variables = {
                **environment,
                "MLFLOW_RUN_ID": run_id,
                "MLFLOW_EXPERIMENT_ID": runs.experiment_id,
                "MLFLOW_EXPERIMENT_NAME": EXPERIMENT,
                "AZUREML_RUN_ID": f"job{attempt}_{step}",
                "AZUREML_ROOT_RUN_ID": f"job{attempt}",
            }
            process = subprocess.Popen(
                [python, "-m", f"diabetes_regression.{argv[0]}", *argv[1:]],
                env=variables,
                cwd=scratch,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(process.pid, 0)
            runs.finish(run_id, "FINISHED" if status == 0 else "FAILED")
            if status != 0:
                raise SystemExit(f"{step} failed ({src}, overlay={overlay})")
            figures[f"{step}{attempt}"] = usage.ru_utime + usage.ru_stime
    return figures


def main() -> None:
    """Print each variant's median CPU per step and in all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, nargs="+", default=[ROOT / "src"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.repeat):
        for src in args.src:
            for overlay in (True, False):
                with tempfile.TemporaryDirectory(prefix="steps-") as scratch:
                    figures = one_variant(src.resolve(), overlay, Path(scratch))
                name = f"{src} {'overlay' if overlay else 'plain'}"
                results.setdefault(name, []).append(figures)
    for name, rounds in results.items():
        medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        steps = ", ".join(f"{key} {value:.2f}" for key, value in medians.items())
        print(f"{name}: {steps}; all {sum(medians.values()):.1f} s CPU")


if __name__ == "__main__":
    main()
