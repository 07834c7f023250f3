"""`mlops validate` over the whole repository vs a bare `python -c "import azure.ai.ml"`.

Both are fresh processes, timed wall-clock, alternated in each repetition so that load on a
shared machine falls on both alike; the medians are compared. Target: validate / import <= 1.5
(azure-ai-ml's import is the floor every loader pays; the checks, the loads and the workflow
linters should add at most half of it). A validate run that finds problems fails the benchmark,
since it would measure a different amount of work.

Usage: .venv/bin/python benchmarks/validate.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.5


def timed(argv: list[str]) -> float:
    """Wall seconds of one run of `argv` from the repository root; it must succeed."""
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each (default 7)")
    arguments = parser.parse_args()
    tools = Path(sys.executable).parent
    baseline = [sys.executable, "-c", "import azure.ai.ml"]
    validate = [str(tools / "mlops"), "validate"]
    timed(baseline)  # warm the file cache for both before measuring
    timed(validate)
    imports, validations = [], []
    for _ in range(arguments.repeat):
        imports.append(timed(baseline))
        validations.append(timed(validate))
    base, measured = statistics.median(imports), statistics.median(validations)
    ratio = measured / base
    print(f"python -c 'import azure.ai.ml'  median {base:.2f} s  (runs: {_runs(imports)})")
    print(f"mlops validate (repository)    median {measured:.2f} s  (runs: {_runs(validations)})")
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"ratio {ratio:.2f} ({verdict} the target <= {TARGET})")


def _runs(seconds: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in seconds)


if __name__ == "__main__":
    main()
