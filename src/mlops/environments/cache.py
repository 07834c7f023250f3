"""The cache of built environments under MLOPS_HOME/environments, one folder per content key.

A build is made in a temporary folder beside its final place and renamed there once complete,
under a lock file, so two jobs building one environment at once build it once and neither sees
a half-built one. Each use touches `last_used`, which `prune` reads.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from mlops.home import mlops_home

SPEC_FILE = "mlops-environment.json"
LAST_USED = "last_used"


def root() -> Path:
    """The cache folder (created on demand)."""
    folder = mlops_home() / "environments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_folder(key: str) -> Path:
    """Where the build of `key` lives once complete."""
    return root() / key


def log_path(key: str) -> Path:
    """The log of the latest attempt to build `key`."""
    return root() / f"{key}.log"


def is_built(key: str) -> bool:
    """Whether a complete build of `key` is in the cache."""
    return (build_folder(key) / SPEC_FILE).is_file()


@contextmanager
def building(key: str, timeout: float = 1800) -> Iterator[Path | None]:
    """Hold the lock of `key`; yields a fresh temporary folder to build in, or None when
    another process completed the build while this one waited.

    The caller fills the folder and calls `publish`; a folder left unpublished is removed.
    """
    with FileLock(str(root() / f"{key}.lock"), timeout=timeout):
        if is_built(key):
            yield None
            return
        staging = root() / f".{key}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, key: str) -> Path:
    """Move a complete build into place (an atomic rename on one file system)."""
    final = build_folder(key)
    shutil.rmtree(final, ignore_errors=True)  # a build interrupted before its spec file
    staging.rename(final)
    return final


def touch(key: str) -> None:
    """Record that a job or deployment used the build of `key` now."""
    (build_folder(key) / LAST_USED).write_text(f"{time.time():.0f}\n", encoding="utf-8")


def last_used(key: str) -> float:
    """When the build of `key` was last used (its build time when never)."""
    marker = build_folder(key) / LAST_USED
    target = marker if marker.is_file() else build_folder(key) / SPEC_FILE
    return target.stat().st_mtime


def size(folder: Path) -> int:
    """The bytes a folder holds (links not followed)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.lstat().st_size
    return total


def build_keys() -> list[str]:
    """The keys of every complete build."""
    return sorted(path.name for path in root().iterdir() if (path / SPEC_FILE).is_file())


def remove(key: str) -> None:
    """Delete the build of `key` and its log, under its lock."""
    with FileLock(str(root() / f"{key}.lock"), timeout=60):
        shutil.rmtree(build_folder(key), ignore_errors=True)
        log_path(key).unlink(missing_ok=True)
    (root() / f"{key}.lock").unlink(missing_ok=True)


@dataclass(frozen=True)
class Cached:
    """One build in the cache, as `mlops environment show` reports it."""

    key: str
    path: Path
    size_bytes: int
    last_used: float
