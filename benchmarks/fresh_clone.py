"""Fresh clone to trained, deployed and smoke-tested: the figure, against its 45 s target.

Clones the repository into a temporary folder (no .venv, no .mlops), then times what a new user
types: `make .venv/.installed` (what `make train` does first: .venv made and the project
installed with uv, the bytecode of what train and deploy import compiled), `make train` (the
training pipeline, a first model registered) and `make deploy` (a local online endpoint, the
blue deployment, its smoke test).
Each step's wall time and the CPU time of its processes are printed (the machine may be shared:
CPU time says what the work costs, wall time what the user waits). The inference server and the
gateway outlive `make deploy` (they serve the endpoint): their CPU is not in the figure. The
endpoint is deleted at the end.

uv's cache is used as a developer's second clone has it (warm), and so is the MLflow store
template in the user's cache folder (mlops.storetemplate: a new store is a copy of it). Usage:

    .venv/bin/python benchmarks/fresh_clone.py [--clone DIR] [--steps setup,train,deploy] [--record]

`--clone` runs the steps in an existing clone instead (to time one step again). `--record`
writes scripts/bytecode_folders.txt, what setup compiles: the clone's setup compiles nothing,
its `make train` and `make deploy` (and `mlops validate`) write the bytecode of what they import,
and the list names where they wrote it (run it after a dependency change).

Where the CPU goes (2 shared cores; CPU time inflates by a third or more when the other sessions
load the machine, so compare runs made side by side):

* setup: compiling bytecode is most of it (compile() alone takes 1.3 ms a file here). Setup
  compiles only what a fresh clone's train, deploy and validate import (scripts/
  bytecode_folders.txt: 4,800 of site-packages' 10,200 files); `make train` and `make deploy`
  run with PYTHONDONTWRITEBYTECODE empty, so their processes write the bytecode of anything else
  they import, once (and of src/). Side by side with the commit before (which compiled all of
  site-packages but packages' test suites and databricks-sdk), the whole figure (setup, train,
  deploy), two pairs alternated, load 3-4: with uv on PATH, 43.5 and 46.5 s wall, 42.7 and
  37.7 s CPU (setup 27.5 and 21.0) before; 34.7 and 35.6 s wall, 35.3 and 32.2 s CPU (setup 17.2
  and 12.9, train 15.7 and 17.1, deploy 2.3 and 2.2) after. After setup, `make train` writes the
  bytecode of 107 files (src/ and its code snapshot), nothing of site-packages. No uv on PATH:
  setup 25.7 and 30.9 s of CPU before, 15.8 and 19.3 after (two runs each, alternated); a whole
  run 51.2 s of CPU before, 32.5 after.
  Compiling nothing at setup (every file written as imported): setup 3.0 s of CPU, but train
  26.2 s of CPU and 38 s wall (16 s with the list): the steps compile one after another, on one
  core, where setup compiles on every core; 52 s wall in all.
  Bootstrapping uv without uv on PATH: `venv --without-pip` and python3's pip `--python`, 2.5 s
  of CPU, where `python3 -m venv` (pip installed and compiled) then `pip install uv` took 8.
  scripts/compile_bytecode.py gives each worker its share of the files at once, where
  `compileall -j 0` sends them one at a time: a quarter less CPU for the same wall. The install
  tries uv's cache alone first (--offline): online, a revalidation request per package took 10 of
  its 14 s of wall here (3.7 s offline).
* train: the four steps 12.7 s of CPU (evaluate 5.6: skops.io imports every sklearn module to
  list its trusted types, 1.5 s; train 4.3; register 2.3; prep 0.5), the engine the rest; a new
  store's MLflow migrations ~1 s of it, and the engine waited for them and for MLflow's import in
  the tracker process; a new store is now a copy of a cached template (no migrations, no tracker):
  make train on a new store, side by side, 33 s wall / 17 s CPU before, 24 s / 15.6 s after.
  skops.io's import (its list of trusted types walks every sklearn module) is ~0.5 s of CPU in
  train and evaluate each, in skops itself.
* deploy: `online-deployment create` took 3.5 s of CPU (azure-ai-ml reads the YAML, MLflow
  resolved the model); the model is now read straight from the local store
  (mlops.assets.localregistry), and MLflow is not imported: side by side, twice, 3.4 and 3.7 s
  of CPU before, 1.1 and 1.1 after. azure-ai-ml stays: its load is the YAML's check. The other
  commands take under 1 s each (`online-endpoint create` 1.4 s: azure-ai-ml again).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 45.0
STEPS = {
    "setup": ["make", ".venv/.installed"],
    "train": ["make", "train"],
    "deploy": ["make", "deploy"],
}

DELETE_ENDPOINT = [".venv/bin/mlops", "online-endpoint", "delete", "-n", "diabetes-regression"]
# --record: setup compiles nothing, then the list is written from where the steps (and `mlops
# validate`, which `make test` and users run) wrote bytecode.
RECORD = ROOT / "scripts" / "bytecode_folders.txt"
NOTHING_LISTED = "IMPORTED=/dev/null"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run `command` to its end; its wall and CPU seconds (its processes' user + system)."""
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def record(clone: Path, env: dict[str, str]) -> None:
    """Write RECORD from where the clone's processes wrote bytecode in its site-packages."""
    writing = {**env, "PYTHONDONTWRITEBYTECODE": ""}
    subprocess.run([".venv/bin/mlops", "validate"], cwd=clone, env=writing, check=True)
    [site] = (clone / ".venv" / "lib").glob("python*/site-packages")
    script = ROOT / "scripts" / "compile_bytecode.py"
    subprocess.run([".venv/bin/python", script, "--record", RECORD, site], cwd=clone, check=True)
    print(f"wrote {RECORD}")


def run(clone: Path, steps: list[str], recording: bool = False) -> dict[str, tuple[float, float]]:
    """Time `steps` in `clone` (with `recording`, write RECORD after them); the endpoint
    `make deploy` made is deleted afterwards."""
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV"}}
    env.pop("MLOPS_HOME", None)  # the clone's own .mlops, as a new user's
    figures = {}
    try:
        for step in steps:
            command = [*STEPS[step], NOTHING_LISTED] if recording else STEPS[step]
            figures[step] = timed(command, clone, env)
            print(f"{step}: {figures[step][0]:.1f} s wall, {figures[step][1]:.1f} s CPU")
        if recording:
            record(clone, env)
    finally:
        if "deploy" in steps:
            subprocess.run(
                [*DELETE_ENDPOINT, "--yes", "--output", "none"],
                cwd=clone,
                env=env,
                check=False,
            )
    return figures


def main() -> None:
    """Print each step and the whole, against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clone", type=Path, help="an existing clone to run the steps in")
    parser.add_argument("--steps", default="setup,train,deploy", help="comma-separated")
    parser.add_argument(
        "--record",
        action="store_true",
        help=f"setup compiles nothing; then write {RECORD.relative_to(ROOT)} from the bytecode "
        "the steps wrote (needs a new clone and every step)",
    )
    args = parser.parse_args()
    steps = [step for step in args.steps.split(",") if step]
    if args.record and (args.clone or steps != list(STEPS)):
        parser.error("--record needs a new clone and every step")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    scratch = None
    clone = args.clone
    if clone is None:
        scratch = Path(tempfile.mkdtemp(prefix="fresh-clone-"))
        clone = scratch / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    try:
        figures = run(clone.resolve(), steps, args.record)
    finally:
        if scratch is not None:
            subprocess.run(["chmod", "-R", "u+w", str(scratch)], check=False)
            shutil.rmtree(scratch, ignore_errors=True)
    wall = sum(seconds for seconds, _ in figures.values())
    cpu = sum(seconds for _, seconds in figures.values())
    print(
        f"fresh clone to {', '.join(steps)}: {wall:.1f} s wall (target <= {TARGET_S:.0f} s), "
        f"{cpu:.1f} s CPU"
    )


if __name__ == "__main__":
    main()
