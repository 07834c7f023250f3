"""Engine test helpers: small pipelines under pipelines/, run by the real engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

PIPELINES = Path(__file__).parent / "pipelines"


@pytest.fixture
def pipelines(tmp_path: Path, mlops_home: Path) -> Path:
    """A private copy of the test pipelines (tests may edit code), with a ready MLflow store."""
    target = tmp_path / "pipelines"
    shutil.copytree(PIPELINES, target)
    return target


def result(record: dict[str, Any], node: str) -> dict[str, Any]:
    """What a test step recorded about its run (its result.json)."""
    folder = Path(record["jobs"][node]["outputs"]["out"])
    return json.loads((folder / "result.json").read_text())


def statuses(record: dict[str, Any]) -> dict[str, str]:
    """Node -> status."""
    return {node: state["status"] for node, state in record["jobs"].items()}
