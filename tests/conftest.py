"""Shared fixtures: every test gets its own local state folder; nothing touches the repo's.

Also the order the suite runs in: modules with slow tests first (under pytest-xdist the longest
work starts first), and the tests of a module that share a module-scoped fixture (a live
endpoint, a trained store, a template copy) kept on one worker, so it is built once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
_SHARED_SCOPES = {"module", "package", "class"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow modules first, each module's tests together and in their own order."""
    grouping = config.pluginmanager.hasplugin("xdist")
    for item in items if grouping else ():
        definitions = getattr(item, "_fixtureinfo", None)
        shared = definitions and any(
            fixture.scope in _SHARED_SCOPES
            for name in definitions.names_closure
            for fixture in definitions.name2fixturedefs.get(name, ())
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    modules = list(dict.fromkeys(item.module for item in items))
    slow = {item.module for item in items if item.get_closest_marker("slow")}
    order = {module: (module not in slow, position) for position, module in enumerate(modules)}
    items.sort(key=lambda item: order[item.module])


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point MLOPS_HOME at a fresh folder and MLflow at nothing shared."""
    monkeypatch.setenv("MLOPS_HOME", str(tmp_path / ".mlops"))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
    for variable in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_RUN_ID"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="session")
def _migrated_mlflow_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow SQLite store with its schema created once (migrations take ~1.5 s)."""
    from mlflow.tracking import MlflowClient

    database = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{database}").search_experiments(max_results=1)
    return database


@pytest.fixture
def mlops_home(tmp_path: Path, _migrated_mlflow_database: Path) -> Path:
    """The test's local state folder, with a ready MLflow store in it."""
    home = tmp_path / ".mlops"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    return home
