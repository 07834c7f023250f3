"""Content hashes of files and folders, code snapshots, and read-only copies of input data:
what a job node, an online deployment and a batch deployment run from.

A code snapshot is taken once per code folder and job, named by its content hash, and follows
the folder's `.amlignore` (or `.gitignore`) as Azure ML's upload does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from mlops.azure.files import code_files
from mlops.home import mlops_home

_CHUNK = 1 << 20
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def tree_hash(path: Path, files: list[Path] | None = None) -> str:
    """SHA-256 over relative file names and contents (a file: its content only)."""
    digest = hashlib.sha256()
    if path.is_file():
        _hash_file(path, digest)
        return digest.hexdigest()
    for file in files if files is not None else _all_files(path):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        _hash_file(file, digest)
    return digest.hexdigest()


def _hash_file(file: Path, digest) -> None:
    with file.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    digest.update(b"\0")


def _all_files(root: Path) -> list[Path]:
    """The files under `root`, less Python's bytecode caches: a step that imports code from an
    input writes them where a read-only mode does not hold (root; `make train` lets Python write
    bytecode), as Azure's ro_mount would silently drop; they are never data."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.relative_to(root).parts
    )


def snapshot(folder: Path) -> tuple[Path, str]:
    """A read-only copy of a code folder, named by its content hash; made once, atomically.

    Returns:
        The snapshot folder and its hash.
    """
    files = code_files(folder)
    digest = tree_hash(folder, files)
    target = mlops_home() / "snapshots" / digest
    if not target.exists():
        _copy_atomically(folder, files, target)
    return target, digest


def data_copy(path: Path) -> tuple[Path, str]:
    """A read-only copy of local input data, named by its content hash (Azure's ro_mount)."""
    files = [path] if path.is_file() else _all_files(path)
    digest = tree_hash(path, None if path.is_dir() else files)
    target = mlops_home() / "data" / digest
    if not target.exists():
        _copy_atomically(path.parent if path.is_file() else path, files, target)
    if path.is_file():
        return target / path.name, digest
    return target, digest


def _copy_atomically(root: Path, files: list[Path], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        for file in files:
            destination = stage / file.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, destination)
        make_read_only(stage)
        try:
            stage.rename(target)
        except OSError:
            if not target.exists():
                raise
            remove_tree(stage)
    except BaseException:
        remove_tree(stage)
        raise


def make_read_only(path: Path) -> None:
    """Remove write permission from a file or a whole folder (folders last, so it works)."""
    if path.is_file():
        path.chmod(path.stat().st_mode & ~_WRITE_BITS)
        return
    for directory, _subdirectories, names in os.walk(path, topdown=False):
        for name in names:
            file = Path(directory) / name
            if not file.is_symlink():
                file.chmod(file.stat().st_mode & ~_WRITE_BITS)
        Path(directory).chmod(Path(directory).stat().st_mode & ~_WRITE_BITS)


def remove_tree(path: Path) -> None:
    """Delete a folder even when parts of it were made read-only."""
    if not path.exists():
        return
    for directory, _subdirectories, _names in os.walk(path):
        Path(directory).chmod(stat.S_IRWXU)
    shutil.rmtree(path, ignore_errors=True)
