"""Engine test helpers: small pipelines under pipelines/, run by the real engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Kept importable from here for tests written before tool_fixtures; new tests import from there.
from tool_fixtures import result, statuses  # noqa: F401

PIPELINES = Path(__file__).parent / "pipelines"


@pytest.fixture
def pipelines(tmp_path: Path, mlops_home: Path) -> Path:
    """A private copy of the test pipelines (tests may edit code), with a ready MLflow store."""
    target = tmp_path / "pipelines"
    shutil.copytree(PIPELINES, target)
    return target
