"""Where local state lives: `.mlops/` at the repository root, or `$MLOPS_HOME`."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) holding `.git`.

    Falls back to `start` itself when no enclosing git repository exists.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def mlops_home() -> Path:
    """The folder holding jobs, assets, endpoint state and the MLflow store; created on demand."""
    configured = os.environ.get("MLOPS_HOME")
    home = Path(configured).expanduser().resolve() if configured else repo_root() / ".mlops"
    home.mkdir(parents=True, exist_ok=True)
    return home
