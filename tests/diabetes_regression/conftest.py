"""Fixtures of the project's tests (tiny frames, a ready MLflow store), and the rule that steps
the sample's own tests aside once the part of the sample they check has been replaced.

A test marked `sample_only("data", "model", "metrics")` checks the sample itself: its data, its
Ridge model and `alpha`, its metric names and values. When any part it names is no longer the
sample's, it is skipped with a reason that says so -- delete it, or adapt it to your project.
"""

from __future__ import annotations

import functools
import inspect
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from trained_models import TrainedModels

from diabetes_regression import data, evaluation, training
from diabetes_regression.data import EXPECTED_COLUMNS, FEATURE_COLUMNS, TARGET_KIND

REPO_ROOT = Path(__file__).resolve().parents[2]

_SAMPLE_COLUMNS = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "Y")


def _pipeline_inputs() -> dict:
    return yaml.safe_load((REPO_ROOT / "pipelines" / "train.yml").read_text())["inputs"]


def _sample_data() -> bool:
    return (
        (*data.FEATURE_COLUMNS, data.TARGET_COLUMN) == _SAMPLE_COLUMNS
        and data.TARGET_KIND == "number"
        and (REPO_ROOT / "data" / "diabetes" / "diabetes.csv").is_file()
        and _pipeline_inputs()["training_data"].get("path") == "../data/diabetes"
    )


def _sample_model() -> bool:
    return list(inspect.signature(training.train_model).parameters) == [
        "train",
        "alpha",
        "fit_intercept",
    ] and "Ridge(" in inspect.getsource(training)


def _sample_metrics() -> bool:
    return list(evaluation.METRICS) == ["mse", "rmse", "mae", "r2"] and (
        _pipeline_inputs()["metric"] == "mse"
    )


SAMPLE_PARTS: dict[str, Callable[[], bool]] = {
    "data": _sample_data,
    "model": _sample_model,
    "metrics": _sample_metrics,
}


@functools.cache
def _still_the_sample(part: str) -> bool:
    return SAMPLE_PARTS[part]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("sample_only")
        if marker is None:
            continue
        gone = [part for part in marker.args or SAMPLE_PARTS if not _still_the_sample(part)]
        if gone:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"sample_only: checks the sample's {' and '.join(gone)}, which the "
                    "project has replaced -- delete this test or adapt it to your project"
                )
            )


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


@pytest.fixture(scope="session")
def models(
    tmp_path_factory: pytest.TempPathFactory, _migrated_mlflow_database: Path, sample_data: Path
) -> TrainedModels:
    """The sample split and the sample's model at each of ALPHAS, trained once per worker and
    shared by the gate tests and the gate-race tests (the models are only ever read)."""
    folder = tmp_path_factory.mktemp("trained")
    store = folder / "mlflow.db"
    shutil.copyfile(_migrated_mlflow_database, store)
    return TrainedModels(folder, store, sample_data)
