"""Template tests: a copy of the repository as it stands, in its own git repository.

They test the template itself (bootstrap and its guide), so they skip once the project has been
bootstrapped: there is no sample left to rename.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from template_copy import REPO_ROOT, copy_repository

SAMPLE_PACKAGE = REPO_ROOT / "src" / "diabetes_regression"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if SAMPLE_PACKAGE.is_dir():
        return
    skip = pytest.mark.skip(
        reason="this project is bootstrapped: the template tests no longer apply"
    )
    for item in items:
        if Path(item.fspath).parent == Path(__file__).parent:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the template, committed; tests that use it must leave it as they found it."""
    return copy_repository(tmp_path_factory.mktemp("template"))
