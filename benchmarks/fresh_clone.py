"""Fresh clone to trained, deployed and smoke-tested: the figure, against its 45 s target.

Clones the repository into a temporary folder (no .venv, no .mlops), then times what a new user
types: `make .venv/.installed` (what `make train` does first: .venv made and the project
installed with uv, its bytecode compiled), `make train` (the training pipeline, a first model
registered) and `make deploy` (a local online endpoint, the blue deployment, its smoke test).
Each step's wall time and the CPU time of its processes are printed (the machine may be shared:
CPU time says what the work costs, wall time what the user waits). The inference server and the
gateway outlive `make deploy` (they serve the endpoint): their CPU is not in the figure. The
endpoint is deleted at the end.

uv's cache is used as a developer's second clone has it (warm). Usage:

    .venv/bin/python benchmarks/fresh_clone.py [--clone DIR] [--steps setup,train,deploy]

`--clone` runs the steps in an existing clone instead (to time one step again).
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


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run `command` to its end; its wall and CPU seconds (its processes' user + system)."""
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def run(clone: Path, steps: list[str]) -> dict[str, tuple[float, float]]:
    """Time `steps` in `clone`; the endpoint `make deploy` made is deleted afterwards."""
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV"}}
    env.pop("MLOPS_HOME", None)  # the clone's own .mlops, as a new user's
    figures = {}
    try:
        for step in steps:
            figures[step] = timed(STEPS[step], clone, env)
            print(f"{step}: {figures[step][0]:.1f} s wall, {figures[step][1]:.1f} s CPU")
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
    args = parser.parse_args()
    steps = [step for step in args.steps.split(",") if step]
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    scratch = None
    clone = args.clone
    if clone is None:
        scratch = Path(tempfile.mkdtemp(prefix="fresh-clone-"))
        clone = scratch / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    try:
        figures = run(clone.resolve(), steps)
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
