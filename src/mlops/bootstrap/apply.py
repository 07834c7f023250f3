"""Apply a bootstrap plan all or nothing: any failure puts every file back as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mlops.bootstrap.plan import FileChange


def apply_changes(root: Path, changes: list[FileChange]) -> None:
    """Write every change; on any error (or interrupt) restore the tree and re-raise."""
    written: list[Path] = []
    saved: dict[Path, tuple[bytes, int]] = {}
    try:
        for change in changes:
            source, target = root / change.path, root / change.new_path
            saved[source] = (source.read_bytes(), source.stat().st_mode)
            data = change.new_text.encode("utf-8") if change.lines else saved[source][0]
            # Listed before it is written: a write that fails may leave a part of the file, and
            # the folder made for it, which the rollback removes too.
            written.append(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, data, saved[source][1])
            if target != source:
                source.unlink()
        _remove_empty_folders(root, {root / change.path for change in changes})
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for path, (data, mode) in saved.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, data, mode)
        _remove_empty_folders(root, set(written))
        raise


def write_file(path: Path, data: bytes, mode: int) -> None:
    """Write a file's bytes and keep its permissions (scripts stay executable)."""
    path.write_bytes(data)
    os.chmod(path, mode)


def _remove_empty_folders(root: Path, files: set[Path]) -> None:
    """Remove the folders the moved files leave empty, or holding only Python's bytecode cache
    (`make setup` compiles src/, so the sample's package folder has one): no stale package."""
    for folder in sorted(
        {parent for file in files for parent in file.parents}, key=lambda p: -len(p.parts)
    ):
        if (
            folder != root
            and root in folder.parents
            and folder.is_dir()
            and all(entry.name == "__pycache__" for entry in folder.iterdir())
        ):
            shutil.rmtree(folder)
