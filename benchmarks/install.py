"""`make setup` on a fresh clone: pip (the old recipe) vs uv (today's), side by side.

Each run starts from a fresh clone of the repository with no virtual environment, creates one
with `python3 -m venv`, and installs the project with its dev tools:

* pip: `pip install --upgrade pip`, then `pip install -e '.[dev]'`;
* uv: `pip install uv` into the new environment (as `make setup` does on a machine without uv),
  then `uv pip install --compile-bytecode -e '.[dev]'`.

Both run with their download caches off (`--cold`, the default, as on a CI runner) or on
(`--warm`, a developer's second clone). Target: uv / pip <= 0.5.

Usage: .venv/bin/python benchmarks/install.py [--warm]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(commands: list[list[str]], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, env=env, check=True)
    return time.perf_counter() - start


def _recipes(cold: bool) -> dict[str, list[list[str]]]:
    pip = [".venv/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pip += ["--no-cache-dir"] if cold else []
    # --compile-bytecode, as make setup does (pip compiles by default): the same installed result.
    uv = [".venv/bin/uv", "pip", "install", "--quiet", "--compile-bytecode"]
    uv += ["--python", ".venv/bin/python"]
    uv += ["--no-cache"] if cold else []
    venv = ["python3", "-m", "venv", ".venv"]
    return {
        "pip": [venv, [*pip, "--upgrade", "pip"], [*pip, "-e", ".[dev]"]],
        "uv": [venv, [*pip, "uv"], [*uv, "-e", ".[dev]"]],
    }


def main() -> None:
    """Time both recipes once each on fresh clones and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", action="store_true", help="keep pip's and uv's caches on")
    cold = not parser.parse_args().warm
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    seconds = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, commands in _recipes(cold).items():
            clone = Path(scratch) / name
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
            print(f"{name}: load average {os.getloadavg()[0]:.1f} at start", file=sys.stderr)
            seconds[name] = _timed(commands, clone, env)
            shutil.rmtree(clone)
    cache = "cold" if cold else "warm"
    print(f"fresh install, {cache} cache: pip {seconds['pip']:.0f} s, uv {seconds['uv']:.0f} s")
    print(f"uv / pip = {seconds['uv'] / seconds['pip']:.2f} (target <= 0.5)")


if __name__ == "__main__":
    main()
