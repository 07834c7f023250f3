"""`mlops validate` over the whole repository, cold and warm, vs a bare `import azure.ai.ml`.

All are fresh processes, timed wall-clock, alternated in each repetition so that load on a
shared machine falls on all alike; the medians are compared. Cold: no memory of clean files
(a fresh MLOPS_HOME each run), so every file is loaded and checked. Targets: cold / import
<= 1.0, warm (every file unchanged since a clean run: validation.clean_cache) / import <= 0.3.
A validate run that finds problems fails the benchmark, since it would measure a different
amount of work.

Usage: .venv/bin/python benchmarks/validate.py [--repeat N]
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
COLD_TARGET = 1.0
WARM_TARGET = 0.3


def timed(argv: list[str], home: Path | None = None) -> float:
    """Wall seconds of one run of `argv` from the repository root; it must succeed."""
    environment = dict(os.environ)
    if home is not None:
        environment["MLOPS_HOME"] = str(home)
    start = time.perf_counter()
    result = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, check=False, env=environment
    )
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
    with tempfile.TemporaryDirectory() as scratch:
        warm_home = Path(scratch) / "warm"
        timed(baseline)  # warm the file cache for all before measuring
        timed(validate, warm_home)  # and remember the clean files for the warm runs
        imports, colds, warms = [], [], []
        for attempt in range(arguments.repeat):
            imports.append(timed(baseline))
            colds.append(timed(validate, Path(scratch) / f"cold{attempt}"))
            warms.append(timed(validate, warm_home))
    base = statistics.median(imports)
    print(f"python -c 'import azure.ai.ml'   median {base:.2f} s  (runs: {_runs(imports)})")
    for label, runs, target in (("cold", colds, COLD_TARGET), ("warm", warms, WARM_TARGET)):
        measured = statistics.median(runs)
        ratio = measured / base
        verdict = "meets" if ratio <= target else "misses"
        print(
            f"mlops validate, {label} (repo)   median {measured:.2f} s  (runs: {_runs(runs)})  "
            f"ratio {ratio:.2f} ({verdict} the target <= {target})"
        )


def _runs(seconds: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in seconds)


if __name__ == "__main__":
    main()
