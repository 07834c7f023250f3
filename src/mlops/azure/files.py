"""Azure ML's upload rules for code and data folders: ignore files and the content hash.

azure-ai-ml keeps these in the private `azure.ai.ml._utils._asset_utils`; every use of it is
here (tests/mlops/azure checks the functions still exist and behave as relied on).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def content_hash(path: Path) -> str:
    """Azure ML's content hash of a file or folder (what az ml computes before an upload)."""
    # azure-ai-ml's import costs 2-3 s: only a command that hashes content pays it.
    from azure.ai.ml._utils._asset_utils import get_content_hash, get_ignore_file

    ignore = get_ignore_file(path) if path.is_dir() else get_ignore_file(path.parent)
    return str(get_content_hash(path, ignore))


def code_files(folder: Path) -> list[Path]:
    """The files of a code folder that Azure ML would upload (.amlignore or .gitignore applied),
    in a stable order."""
    if not (folder / ".amlignore").exists() and not (folder / ".gitignore").exists():
        # No ignore file: every file goes, and a warm start never imports azure-ai-ml.
        return list(_walk(folder))
    # azure-ai-ml's import costs 2-3 s: only a command that snapshots code pays it.
    from azure.ai.ml._utils._asset_utils import get_ignore_file

    ignore = get_ignore_file(folder)
    return [file for file in _walk(folder) if not ignore.is_file_excluded(file)]


def upload_files(folder: Path) -> list[tuple[Path, str]]:
    """(absolute path, path relative to `folder`) of each file Azure ML would upload."""
    # azure-ai-ml's import costs 2-3 s: only a command that uploads a folder pays it.
    from azure.ai.ml._utils._asset_utils import get_ignore_file, get_upload_files_from_folder

    return [
        (Path(absolute), str(relative))
        for absolute, relative in get_upload_files_from_folder(
            folder, ignore_file=get_ignore_file(folder)
        )
    ]


def _walk(folder: Path) -> Iterator[Path]:
    for directory, subdirectories, names in os.walk(folder):
        subdirectories.sort()
        for name in sorted(names):
            yield Path(directory) / name
