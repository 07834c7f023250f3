"""The test suite's tiers: the whole suite serial vs in parallel, and the fast tier, side by side.

Runs pytest as `make test` and `make test-fast` do (the Makefile's PARALLEL flags: one worker
per core, `--dist loadfile`), and the whole suite once more with no worker at all (the suite as
it ran before the tiers). The machine's load average is printed beside each figure: on a shared
machine it moves the result more than anything else. Targets: parallel / serial <= 0.5;
fast tier < 60 s.

Usage: .venv/bin/python benchmarks/suite.py [--no-serial] [--no-whole]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def _parallel_flags() -> list[str]:
    [flags] = re.findall(r"^PARALLEL := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    return shlex.split(flags)


def _timed(name: str, argv: list[str]) -> float:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
    print(f"{name:<16} {seconds:7.1f} s  load {load:4.1f} -> {os.getloadavg()[0]:4.1f}  {summary}")
    for line in result.stdout.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            print(f"  {line}")
    return seconds


def main() -> None:
    """Time each tier once and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-serial", action="store_true", help="skip the serial whole suite")
    parser.add_argument("--no-whole", action="store_true", help="time the fast tier only")
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores")
    fast = _timed("fast tier", [*PYTEST, "-m", "not slow", *_parallel_flags()])
    print(f"fast tier: {fast:.0f} s (target < 60 s)")
    if options.no_whole:
        return
    parallel = _timed("whole, parallel", [*PYTEST, *_parallel_flags()])
    if not options.no_serial:
        serial = _timed("whole, serial", [*PYTEST, "-p", "no:xdist"])
        print(f"parallel / serial = {parallel / serial:.2f} (target <= 0.5)")


if __name__ == "__main__":
    main()
