"""Which Python a build runs on: the conda file's `python=` when the machine has it."""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Interpreter:
    """A base interpreter to build a virtualenv from.

    Attributes:
        path: Its executable.
        version: Its `major.minor`.
        note: One line when it is not the version asked for, else None.
    """

    path: str
    version: str
    note: str | None = None


def uv_binary() -> str:
    """The uv executable installed with the engine (a dependency of the project)."""
    return find_uv_bin()


def _engine() -> Interpreter:
    # The base interpreter, not the engine's venv: a build must not see the engine's packages.
    base = getattr(sys, "_base_executable", None) or sys.executable
    return Interpreter(base, f"{sys.version_info.major}.{sys.version_info.minor}")


def _pyenv(version: str) -> str | None:
    """An interpreter pyenv installed, which uv misses when pyenv's shims do not expose it."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = sorted((root / "versions").glob(f"{version}.*/bin/python{version}"))
    return str(found[-1]) if found else None


@functools.cache
def _find(version: str) -> str | None:
    pyenv = _pyenv(version)
    if pyenv:
        return pyenv
    try:
        found = subprocess.run(
            [uv_binary(), "python", "find", "--no-project", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = found.stdout.strip().splitlines()[-1] if found.stdout.strip() else ""
    return path if found.returncode == 0 and path else None


def _nearest(version: str) -> Interpreter:
    """The engine's Python, or a machine one closer to `version` when uv finds it."""
    engine = _engine()
    major, minor = (int(part) for part in version.split(".")[:2])
    own = sys.version_info.minor
    for step in range(1, 4):
        for candidate in (minor - step, minor + step):
            if abs(candidate - minor) >= abs(own - minor):
                continue
            path = _find(f"{major}.{candidate}")
            if path:
                return Interpreter(path, f"{major}.{candidate}")
    return engine


def interpreter_for(version: str | None) -> Interpreter:
    """The interpreter to build on for `python=<version>` (the engine's when None).

    Returns:
        The asked-for version when the machine has it (pyenv's versions, then uv's search of
        the PATH and its own installs, never downloading); otherwise the nearest available,
        with a note.
    """
    engine = _engine()
    if version is None or version == engine.version:
        return engine
    path = _find(version)
    if path:
        return Interpreter(path, version)
    nearest = _nearest(version)
    note = f"python={version} is not on this machine: running on Python {nearest.version}"
    return Interpreter(nearest.path, nearest.version, note)
