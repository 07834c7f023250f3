"""What bootstrap will change: every tracked text file that names the sample, and every path
component that is the sample's package name. Found by scanning git's files, not a list."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mlops.bootstrap.names import SAMPLE, forms
from mlops.errors import MlopsError

# The bootstrap tool itself, its tests and the guide that explains it name the sample on purpose.
EXEMPT = (
    "src/mlops/bootstrap/",
    "tests/template/",
    "docs/bring_your_own_code.md",
    "docs/ja/bring_your_own_code.md",
)


@dataclass
class FileChange:
    """One file: its new path, its new text (binary files keep their bytes), and the lines that
    change (number, old, new)."""

    path: Path
    new_path: Path
    new_text: str
    lines: list[tuple[int, str, str]] = field(default_factory=list)


def tracked_files(root: Path) -> list[Path]:
    """The files git tracks under `root`.

    Raises:
        MlopsError: `root` is not a git repository.
    """
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=False)
    if listed.returncode != 0:
        raise MlopsError(f"{root} is not a git repository: bootstrap renames the files git tracks.")
    return [Path(name) for name in listed.stdout.decode().split("\0") if name]


def plan_changes(root: Path, name: str) -> list[FileChange]:
    """Every change renaming the sample to `name` (paths relative to `root`)."""
    replacements = forms(name)
    changes = []
    for relative in tracked_files(root):
        if relative.as_posix().startswith(EXEMPT) or not (root / relative).is_file():
            continue
        text = _text(root / relative)
        new_path = Path(*(name if part == SAMPLE else part for part in relative.parts))
        if text is None:
            if new_path != relative:
                changes.append(FileChange(relative, new_path, ""))
            continue
        lines = []
        new_lines = []
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            new_line = line
            for old, new in replacements.items():
                new_line = new_line.replace(old, new)
            if new_line != line:
                lines.append((number, line.rstrip("\n"), new_line.rstrip("\n")))
            new_lines.append(new_line)
        if lines or new_path != relative:
            changes.append(FileChange(relative, new_path, "".join(new_lines), lines))
    return changes


def _text(path: Path) -> str | None:
    """A file's text, or None for a binary file (left as it is)."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
