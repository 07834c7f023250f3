"""Azure ML's upload rules for code and data folders: ignore files and the content hash.

azure-ai-ml keeps these in the private `azure.ai.ml._utils._asset_utils`; every use of it is
here (tests/mlops/azure checks the functions still exist and behave as relied on).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from mlops.azure import package

_IGNORE_FILES = (".amlignore", ".gitignore")  # azure-ai-ml's order: .amlignore wins


def content_hash(path: Path) -> str:
    """Azure ML's content hash of a file or folder (what az ml computes before an upload)."""
    package.enter()
    # azure-ai-ml's import costs 1-2 s: only a command that hashes content pays it.
    from azure.ai.ml._utils._asset_utils import get_content_hash, get_ignore_file

    ignore = get_ignore_file(path) if path.is_dir() else get_ignore_file(path.parent)
    return str(get_content_hash(path, ignore))


def code_files(folder: Path) -> list[Path]:
    """The files of a code folder that Azure ML would upload (.amlignore or .gitignore applied),
    in a stable order."""
    ignore_file = next((folder / name for name in _IGNORE_FILES if (folder / name).exists()), None)
    if ignore_file is None:
        return list(_walk(folder))
    patterns = _ignore_patterns(ignore_file)
    base = ignore_file.resolve().parent
    return [file for file in _walk(folder) if not _excluded(file, base, patterns)]


def _ignore_patterns(ignore_file: Path) -> list[Any]:
    """The patterns of an ignore file, as azure-ai-ml's `IgnoreFile._create_pathspec` reads
    them (every line right-stripped; comments and blank lines never include or exclude)."""
    pattern = _pathspec().GitWildMatchPattern
    with ignore_file.open(encoding="utf-8-sig") as lines:
        return [pattern(line.rstrip()) for line in lines if line]


def _excluded(file: Path, base: Path, patterns: list[Any]) -> bool:
    """azure-ai-ml's `IgnoreFile.is_file_excluded`: the last pattern that matches decides."""
    if not patterns:
        return False
    relative = _pathspec().normalize_file(os.path.relpath(file.absolute(), base))
    excluded = False
    for pattern in patterns:
        if pattern.include is not None and pattern.match_file(relative) is not None:
            excluded = pattern.include
    return excluded


@functools.lru_cache(maxsize=1)
def _pathspec() -> ModuleType:
    """azure-ai-ml's own gitignore matcher (`azure.ai.ml._utils._pathspec`, a vendored copy of
    pathspec that needs only the standard library), loaded from its file alone: importing it
    as a submodule would import azure-ai-ml (2-3 s), which a warm start must not pay."""
    spec = importlib.util.find_spec("azure.ai")
    assert spec is not None and spec.submodule_search_locations
    source = Path(next(iter(spec.submodule_search_locations))) / "ml" / "_utils" / "_pathspec.py"
    name = "mlops.azure._vendored_pathspec"
    module_spec = importlib.util.spec_from_file_location(name, source)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # dataclasses in the file look their module up by name
    module_spec.loader.exec_module(module)
    return module


def upload_files(folder: Path) -> list[tuple[Path, str]]:
    """(absolute path, path relative to `folder`) of each file Azure ML would upload."""
    package.enter()
    # azure-ai-ml's import costs 1-2 s: only a command that uploads a folder pays it.
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
