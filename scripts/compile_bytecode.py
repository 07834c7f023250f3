"""Compile the bytecode of a folder's Python files on every core, as `make setup` does for .venv.

`python -m compileall -j 0` hands its worker processes one file at a time: for site-packages'
10,000 files that is 10,000 round trips through a process pool's queues, a quarter of its CPU
(measured here, side by side: 34 s of CPU with `-j 0`, 26.6 s with `-j 1`). Here each worker
takes every n-th file of the sorted list and compiles its share in one go, with compileall's own
`compile_file` (same .pyc files, same timestamp invalidation, files already compiled skipped).
Only source that does not compile fails the run; bytecode that cannot be written (a read-only
or root-owned `__pycache__`) is left to Python, which then compiles that module in memory.

`--only LIST` compiles, of each folder, only what LIST names: a subfolder (the files directly in
it) or a .py file, one path a line, relative to the folder (`#` starts a comment; a path that is
not there is skipped). `--record LIST` writes such a list instead, compiling nothing: where Python
wrote bytecode, as the processes of a fresh clone's `make train` and `make deploy` do (see the
Makefile and `benchmarks/fresh_clone.py --record`); a subfolder where at least half the files
were compiled, otherwise those files.

Usage: python scripts/compile_bytecode.py [--exclude REGEX] [--only LIST | --record LIST]
       FOLDER [FOLDER ...]
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

HEADER = "# Written by scripts/compile_bytecode.py --record: see its docstring and the Makefile.\n"


def sources(
    folders: Sequence[Path], exclude: re.Pattern[str] | None, only: Sequence[str] | None = None
) -> list[str]:
    """The .py files under `folders` (symbolic links to folders not followed, as compileall),
    sorted, less those whose full path `exclude` finds; with `only`, just the files it names and
    those directly in the subfolders it names."""
    found = set()
    for folder in folders:
        if only is None:
            walked = os.walk(folder)
        else:
            named = [sub for sub in only if sub.endswith(".py") and (folder / sub).is_file()]
            walked = [(str(folder), [], named)]
            walked += [next(os.walk(folder / sub), (None, [], [])) for sub in only]
        for parent, children, files in walked:
            children[:] = sorted(name for name in children if name != "__pycache__")
            paths = (os.path.join(parent, name) for name in files if name.endswith(".py"))
            found.update(path for path in paths if not (exclude and exclude.search(path)))
    return sorted(found)


def read_list(path: Path) -> list[str]:
    """The subfolders and files a list names (blank lines and `#` comments left out)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def recorded(folder: Path) -> list[str]:
    """Where in `folder` Python wrote bytecode, relative and sorted (`.` for itself): each
    subfolder where at least half the .py files were compiled, otherwise those files."""
    entries = []
    for parent, _children, files in os.walk(folder):
        modules = {name for name in files if name.endswith(".py")}
        cache = Path(parent, "__pycache__")
        written = os.listdir(cache) if modules and cache.is_dir() else []
        done = {name.split(".", 1)[0] + ".py" for name in written} & modules
        relative = os.path.relpath(parent, folder)
        if done and 2 * len(done) >= len(modules):
            entries.append(relative)
        else:
            entries += [os.path.normpath(os.path.join(relative, name)) for name in done]
    return sorted(entries)


def compile_share(files: Sequence[str]) -> bool:
    """Compile `files` in this process; False when one of them does not compile (compileall
    prints which, and why). Bytecode that could not be written (a read-only or root-owned
    __pycache__) is no failure: Python compiles that module in memory as it imports it."""
    return all([compileall.compile_file(path, quiet=1) or compiles(path) for path in files])


def compiles(path: str) -> bool:
    """Whether the source of `path` compiles (in memory, nothing written)."""
    try:
        compile(Path(path).read_bytes(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OSError):
        return False
    return True


def compile_all(files: Sequence[str], workers: int) -> bool:
    """Compile `files` in `workers` processes, one share each; True when every file compiled."""
    if workers <= 1 or len(files) < 2:
        return compile_share(files)
    shares = [files[index::workers] for index in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return all(list(pool.map(compile_share, shares)))


def main(argv: Sequence[str] | None = None) -> int:
    """Compile the folders given on the command line (or record where bytecode is); exit 1 when
    a file did not compile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--exclude", type=re.compile, help="leave out paths this regex finds")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--only", type=Path, help="compile only what this file lists")
    chosen.add_argument("--record", type=Path, help="write where bytecode was written")
    args = parser.parse_args(argv)
    if args.record:
        found = sorted({entry for folder in args.folders for entry in recorded(folder)})
        args.record.write_text(HEADER + "".join(f"{sub}\n" for sub in found))
        return 0
    only = read_list(args.only) if args.only else None
    files = sources(args.folders, args.exclude, only)
    return 0 if compile_all(files, os.cpu_count() or 1) else 1


if __name__ == "__main__":
    sys.exit(main())
