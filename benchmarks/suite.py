"""The test suite's tiers: the whole suite serial vs in parallel, and the fast tier, side by side.

Runs pytest as `make test` and `make test-fast` do (the Makefile's PARALLEL flags: one worker per
core and one more, `--dist loadfile`), and the whole suite once more with no worker at all (the
suite as it ran before the tiers). The machine's load average is printed beside each figure: on a
shared machine it moves the result more than anything else. Targets: parallel / serial <= 0.5; fast
tier < 60 s. After each run, the files that took longest (setup, call and teardown of their tests,
from pytest's JUnit report): under `--dist loadfile` one file runs on one worker, so the longest
file bounds the whole run.

`--compare BEFORE.xml AFTER.xml` prints two saved JUnit reports' longest files side by side
(say, the suite before and after a change, each run with `--junitxml=...`).

Usage: .venv/bin/python benchmarks/suite.py [--no-serial] [--no-whole] [--top N]
       .venv/bin/python benchmarks/suite.py --compare BEFORE.xml AFTER.xml [--top N]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def _parallel_flags() -> list[str]:
    [flags] = re.findall(r"^PARALLEL := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    return shlex.split(flags)


def per_file(report: Path) -> Counter[str]:
    """Seconds per test file (setup + call + teardown of its tests) in a pytest JUnit report."""
    seconds: Counter[str] = Counter()
    for case in ElementTree.parse(report).iter("testcase"):
        seconds[_file_of(case.get("classname", ""))] += float(case.get("time") or 0)
    return seconds


def _file_of(classname: str) -> str:
    """`tests.x.test_y` or `tests.x.test_y.TestClass` -> `tests/x/test_y.py`."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        name = "/".join(parts[:end]) + ".py"
        if (ROOT / name).is_file():
            return name
    return classname


def print_longest(reports: dict[str, Counter[str]], top: int) -> None:
    """The `top` longest files of the first report, with each report's seconds beside them."""
    first = next(iter(reports.values()))
    files = [name for name, _ in first.most_common(top)]
    files += [
        n for r in list(reports.values())[1:] for n, _ in r.most_common(top) if n not in files
    ]
    print(f"{'file':<58}" + "".join(f"{label:>10}" for label in reports))
    for name in files:
        cells = "".join(
            f"{report[name]:9.1f}s" if name in report else f"{'-':>10}"
            for report in reports.values()
        )
        print(f"{name:<58}{cells}")
    print(f"{'all files (worker seconds)':<58}" + "".join(
        f"{sum(report.values()):9.1f}s" for report in reports.values()
    ))  # fmt: skip


def _timed(name: str, argv: list[str], top: int) -> float:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        start = time.perf_counter()
        result = subprocess.run(
            [*argv, f"--junitxml={report}"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
        summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
        print(
            f"{name:<16} {seconds:7.1f} s  load {load:4.1f} -> {os.getloadavg()[0]:4.1f}  {summary}"
        )
        for line in result.stdout.splitlines():
            if line.startswith(("FAILED", "ERROR")):
                print(f"  {line}")
        if report.is_file():
            print_longest({name: per_file(report)}, top)
    return seconds


def main() -> None:
    """Time each tier once and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-serial", action="store_true", help="skip the serial whole suite")
    parser.add_argument("--no-whole", action="store_true", help="time the fast tier only")
    parser.add_argument("--top", type=int, default=15, help="how many of the longest files")
    parser.add_argument(
        "--compare", nargs=2, type=Path, metavar="XML", help="two JUnit reports side by side"
    )
    options = parser.parse_args()
    if options.compare:
        before, after = options.compare
        print_longest({"before": per_file(before), "after": per_file(after)}, options.top)
        return
    print(f"{os.cpu_count()} cores")
    fast = _timed("fast tier", [*PYTEST, "-m", "not slow", *_parallel_flags()], options.top)
    print(f"fast tier: {fast:.0f} s (target < 60 s)")
    if options.no_whole:
        return
    parallel = _timed("whole, parallel", [*PYTEST, *_parallel_flags()], options.top)
    if not options.no_serial:
        serial = _timed("whole, serial", [*PYTEST, "-p", "no:xdist"], options.top)
        print(f"parallel / serial = {parallel / serial:.2f} (target <= 0.5)")


if __name__ == "__main__":
    main()
