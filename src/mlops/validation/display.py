"""How problems name files: relative to the working folder, as the user typed them."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(file: Path) -> Path:
    """`file` relative to the working folder when it is under it, as problems show it."""
    try:
        return Path(os.path.relpath(file.resolve(), Path.cwd()))
    except ValueError:
        return file
