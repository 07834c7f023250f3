"""Rename the sample project to the user's: check, plan, then apply all or nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from mlops.bootstrap.apply import apply_changes
from mlops.bootstrap.formatting import format_python
from mlops.bootstrap.names import SAMPLE, check_name, check_not_installed, forms
from mlops.bootstrap.plan import plan_changes
from mlops.errors import MlopsError


def bootstrap(
    root: Path, name: str, *, dry_run: bool = False, force: bool = False
) -> dict[str, Any]:
    """Rename `diabetes_regression` (in every spelling) to `name` across the repository.

    Args:
        root: The repository root.
        name: The new project name (see `names.check_name`).
        dry_run: Only report what would change.
        force: Run on a tree with uncommitted changes.

    Returns:
        A summary: the name, its derived forms, each changed file with its renamed lines, and
        whether the renamed Python files were formatted with ruff (a name of another length
        moves line breaks; without ruff, `ruff format .` is left to the user).

    Raises:
        UsageError: The name breaks a rule.
        MlopsError: Uncommitted changes (without `force`); nothing was changed.
    """
    check_name(name)
    changes = plan_changes(root, name)
    summary: dict[str, Any] = {"name": name, "names": forms(name), "dry_run": dry_run}
    if not changes:
        summary.update(
            changed_files=0, files=[], message=f"nothing names {SAMPLE}: already bootstrapped"
        )
        return summary
    check_not_installed(name)
    if not dry_run and not force and _dirty(root):
        raise MlopsError(
            f"{root} has uncommitted changes; bootstrap changes many files, so commit or stash "
            "first (or pass --force). Nothing was changed."
        )
    changes, summary["formatted"] = format_python(root, changes)
    summary["changed_files"] = len(changes)
    summary["files"] = [
        {
            "path": change.path.as_posix(),
            "new_path": change.new_path.as_posix() if change.new_path != change.path else None,
            "lines": [
                {"line": number, "old": old, "new": new} for number, old, new in change.lines
            ],
        }
        for change in changes
    ]
    if not dry_run:
        apply_changes(root, changes)
    return summary


def _dirty(root: Path) -> bool:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=False
    )
    return bool(status.stdout.strip())
