"""`mlops validate`'s memory of clean files, as linters keep one: "this file, with this content
and the files it names, under these versions, had no problems".

A file is checked again when it, any YAML it names (transitively), the local asset store, the
versions of azure-ai-ml, Python or this tool's code changed; a workflow also when a file its
steps pass to `az ml` (or a file that one names) changed. Only clean results are kept: a file with
problems is always checked, so its messages are always current.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import yaml

from mlops import atomic
from mlops.assets.catalog import CATALOG_NAME
from mlops.home import mlops_home, repo_root
from mlops.plan.cache import file_hash, referenced_files, versions


class CleanFiles:
    """The clean-file entries for one `mlops validate` run over `files`."""

    def __init__(self, files: list[Path], workflows: list[Path]) -> None:
        self._versions = {**versions(), "assets": _asset_store_state()}
        self._keys: dict[Path, str] = {}
        self._roots: dict[Path, list[Path]] = {}
        for file in files:
            roots = _workflow_roots(file) if file in workflows else [file]
            self._roots[file.resolve()] = roots
            self._keys[file.resolve()] = self._key(file, roots)

    def _key(self, file: Path, roots: list[Path]) -> str:
        material = {
            "file": str(file.resolve()),
            "files": {str(f): file_hash(f) for f in referenced_files(roots)},
            "versions": self._versions,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def key(self, file: Path) -> str:
        """The key of `file`: its content, every file it depends on, the versions."""
        return self._keys[file.resolve()]

    def depends_on(self, file: Path) -> list[Path]:
        """`file` and every file whose problems it would report."""
        return referenced_files(self._roots[file.resolve()])

    def is_clean(self, key: str) -> bool:
        """Whether a file with this key was found clean before."""
        return _entry(key).is_file()

    def remember_clean(self, key: str) -> None:
        """Record that the file with this key has no problems."""
        # A cache that cannot be written only costs time.
        with contextlib.suppress(OSError):
            atomic.write_text(_entry(key), "clean\n")


def _workflow_roots(workflow: Path) -> list[Path]:
    """A workflow and the files its `run:` steps pass to `az ml` (from the repository root)."""
    # Not at the top: validation/__init__ imports this module before files and workflows exist.
    from mlops.validation.workflows import az_ml_files

    roots = [workflow]
    try:
        data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return roots
    root = repo_root(workflow.resolve().parent)
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job in (jobs or {}).values() if isinstance(jobs, dict) else []:
        for step in (job or {}).get("steps") or [] if isinstance(job, dict) else []:
            if isinstance(step, dict):
                roots += [root / file for file in az_ml_files(str(step.get("run", "")))]
    return roots


def _asset_store_state() -> str:
    """The local asset store's state: a registered component changes what a pipeline resolves."""
    database = mlops_home() / CATALOG_NAME
    try:
        stat = database.stat()
    except OSError:
        return "none"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _entry(key: str) -> Path:
    return mlops_home() / "validated" / key
