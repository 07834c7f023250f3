"""Keep the renamed Python files formatted: a name of another length moves line breaks.

`make test` checks `ruff format --check`, so bootstrap formats the new text of every Python
file it renames with the project's own ruff settings before anything is written.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from mlops.bootstrap.plan import FileChange

logger = logging.getLogger(__name__)


def ruff_command() -> str | None:
    """The ruff executable: the one installed with this Python, else one on PATH; None if none."""
    try:
        # ruff is optional here (a dev tool): without it the formatter on PATH is used.
        from ruff.__main__ import find_ruff_bin
    except ImportError:
        return shutil.which("ruff")
    try:
        return str(find_ruff_bin())
    except FileNotFoundError:
        return shutil.which("ruff")


def format_python(root: Path, changes: list[FileChange]) -> tuple[list[FileChange], bool]:
    """The changes with the new text of each changed Python file formatted by ruff.

    Args:
        root: The repository root, whose pyproject.toml holds the ruff settings.
        changes: The planned changes.

    Returns:
        The changes (formatted where ruff could), and whether ruff was found. A file ruff cannot
        format (a syntax error the user already had) keeps its renamed text.
    """
    ruff = ruff_command()
    if ruff is None:
        logger.warning("ruff is not installed: run `ruff format .` after bootstrap (make format)")
        return changes, False
    formatted = []
    for change in changes:
        if change.lines and change.new_path.suffix == ".py":
            done = subprocess.run(
                [ruff, "format", "--quiet", "--stdin-filename", str(change.new_path), "-"],
                cwd=root,
                input=change.new_text,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0:
                change = replace(change, new_text=done.stdout)
            else:
                logger.warning("ruff could not format %s: %s", change.new_path, done.stderr.strip())
        formatted.append(change)
    return formatted, True
