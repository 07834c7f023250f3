"""Fixtures of the sample project's tests: tiny frames and a ready MLflow store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diabetes_regression.data import EXPECTED_COLUMNS, FEATURE_COLUMNS, TARGET_KIND

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_data() -> Path:
    """The committed sample data folder (the `diabetes` data asset's path)."""
    return REPO_ROOT / "data" / "diabetes"


@pytest.fixture
def three_rows() -> pd.DataFrame:
    """Three rows that meet the data contract, whatever its columns: a number target, or the
    labels 0, 1, 0 when the target is a label."""
    features = len(FEATURE_COLUMNS)
    targets = [0, 1, 0] if TARGET_KIND == "label" else [100.0, 101.0, 102.0]
    return pd.DataFrame(
        [
            [0.01 * (row + column) for column in range(features)] + [targets[row]]
            for row in range(3)
        ],
        columns=list(EXPECTED_COLUMNS),
    )


@pytest.fixture
def tracked(mlops_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point MLflow at the test's own store and experiment, as the engine does for a node.

    Returns:
        The tracking URI.
    """
    from mlops import tracking

    uri = tracking.tracking_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", tracking.experiment_id("diabetes_regression"))
    return uri
