"""A local store where the training pipeline has registered the sample model, made once per
module (training takes ~15 s) and pointed at by each test that needs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def _trained_store(tmp_path_factory: pytest.TempPathFactory, _migrated_mlflow_database) -> Path:
    from mlops.engine import create_job

    home = tmp_path_factory.mktemp("trained") / ".mlops"
    home.mkdir()
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_HOME", str(home))
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        job = create_job(REPO / "pipelines" / "train.yml")
    assert job["status"] == "Completed", job
    return home


@pytest.fixture
def trained_store(_trained_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The store holding diabetes_regression_model version 1 (shared within the module)."""
    monkeypatch.setenv("MLOPS_HOME", str(_trained_store))
    return _trained_store
