"""Compile the bytecode of a folder's Python files on every core, as `make setup` does for .venv.

`python -m compileall -j 0` hands its worker processes one file at a time: for site-packages'
10,000 files that is 10,000 round trips through a process pool's queues, a quarter of its CPU
(measured here, side by side: 34 s of CPU with `-j 0`, 26.6 s with `-j 1`). Here each worker
takes every n-th file of the sorted list and compiles its share in one go, with compileall's own
`compile_file` (same .pyc files, same timestamp invalidation, files already compiled skipped).

Usage: python scripts/compile_bytecode.py [--exclude REGEX] FOLDER [FOLDER ...]
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def sources(folders: Sequence[Path], exclude: re.Pattern[str] | None) -> list[str]:
    """The .py files under `folders` (symbolic links to folders not followed, as compileall),
    sorted, less those whose full path `exclude` finds."""
    found = []
    for folder in folders:
        for parent, children, files in os.walk(folder):
            children[:] = sorted(name for name in children if name != "__pycache__")
            paths = (os.path.join(parent, name) for name in files if name.endswith(".py"))
            found += [path for path in paths if not (exclude and exclude.search(path))]
    return sorted(found)


def compile_share(files: Sequence[str]) -> bool:
    """Compile `files` in this process; False when one of them does not compile (compileall
    prints which, and why)."""
    return all([compileall.compile_file(path, quiet=1) for path in files])


def compile_all(files: Sequence[str], workers: int) -> bool:
    """Compile `files` in `workers` processes, one share each; True when every file compiled."""
    if workers <= 1 or len(files) < 2:
        return compile_share(files)
    shares = [files[index::workers] for index in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return all(list(pool.map(compile_share, shares)))


def main(argv: Sequence[str] | None = None) -> int:
    """Compile the folders given on the command line; exit 1 when a file did not compile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--exclude", type=re.compile, help="leave out paths this regex finds")
    args = parser.parse_args(argv)
    files = sources(args.folders, args.exclude)
    return 0 if compile_all(files, os.cpu_count() or 1) else 1


if __name__ == "__main__":
    sys.exit(main())
