"""Fixtures of the sample project's tests: tiny frames and a ready MLflow store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from diabetes_regression.data import EXPECTED_COLUMNS

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
    """Three rows that meet the data contract."""
    return pd.DataFrame(
        [[0.01 * (row + column) for column in range(10)] + [100.0 + row] for row in range(3)],
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
