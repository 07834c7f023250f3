"""A local store holding the tool's tiny model as version 1, made once per module and pointed at
by each test that needs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tool_fixtures import register_model


@pytest.fixture(scope="module")
def _trained_store(tmp_path_factory: pytest.TempPathFactory, _migrated_mlflow_database) -> Path:
    home = tmp_path_factory.mktemp("trained") / ".mlops"
    home.mkdir()
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_HOME", str(home))
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        register_model(home.parent)
    return home


@pytest.fixture
def trained_store(_trained_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The store holding tiny_model version 1 (shared within the module)."""
    monkeypatch.setenv("MLOPS_HOME", str(_trained_store))
    return _trained_store
