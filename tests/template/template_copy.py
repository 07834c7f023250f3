"""A copy of the repository in its own git repository, and running the copy's own code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def copy_repository(target: Path) -> Path:
    """The repository's files (tracked, and new ones not ignored) committed in a fresh git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "--quiet")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "--message", "template")
    return target


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a throwaway identity; its stdout."""
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout


def run_in(root: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`python <args>` in `root`, importing the copy's own code and keeping its state inside it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MLFLOW_TRACKING", "MLFLOW_REGISTRY", "MLFLOW_RUN", "PYTEST"))
    }
    environment.update(PYTHONPATH=str(root / "src"), MLOPS_HOME=str(root / ".mlops"))
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def tree_digest(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file outside .git: its bytes and permission bits."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mode)
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
