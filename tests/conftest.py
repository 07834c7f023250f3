"""Shared fixtures: every test gets its own local state folder; nothing touches the repo's.

Also the order the suite runs in: the longest modules first (LONGEST), then the other modules
with slow tests, then the rest, so that under pytest-xdist (`--dist loadfile`: a module's tests on
one worker, its module-scoped fixtures built once) the longest work starts first and the short
modules fill in at the end. One long module left for the end would keep one worker busy while
the others idle.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Where PYTHONDONTWRITEBYTECODE is set (as on these machines and some CI images), pytest would
# rewrite and compile every test module again in every worker, and Python compile src/ again:
# 2.8 s of CPU per process that collects the suite (9.4 s -> 6.6 s). The caches go to the
# __pycache__ folders git and Azure ML's code snapshots ignore; the processes the tests start
# keep the variable (except the Makefile targets a walkthrough types, which write bytecode as a
# user's do), so no other test's copy or snapshot gains a file.
sys.dont_write_bytecode = False

# The modules that take longest, longest first (JUnit times, 2 cores, December 2026): each
# holds a worker for minutes. A module not listed (a new one) runs after these, slow ones first;
# a listed one that is gone (a sample-only module a project deleted) is simply not there to sort.
LONGEST = [
    "template/test_walkthrough_classifier.py",
    "template/test_walkthrough_regression.py",
    "workflows/test_rollout.py",
    "diabetes_regression/test_pipeline_end_to_end.py",
    "mlops/engine/test_engine_docs.py",
    "diabetes_regression/test_diabetes_steps_in_sequence.py",
    "mlops/engine/test_engine_failures.py",
    "mlops/engine/test_engine_graph.py",
    "diabetes_regression/test_tune_pipeline_end_to_end.py",
    "mlops/engine/test_engine_reuse.py",
    "mlops/batch/test_batch_docs.py",
    "template/test_bootstrap.py",
    "workflows/test_train_workflow.py",
    "mlops/batch/test_batch_list_jobs.py",
    "mlops/sweep/test_sweep_node.py",
    "mlops/assets/test_assets_concurrency.py",
    "mlops/online/test_online_lifecycle.py",
    "mlops/online/test_online_gateway.py",
    "mlops/online/test_online_fuzz.py",
    "mlops/online/test_online_routing.py",
    "diabetes_regression/test_diabetes_gate_race.py",
    "diabetes_regression/test_diabetes_gate.py",
]
_RANK = {REPO_ROOT / "tests" / name: rank for rank, name in enumerate(LONGEST)}


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (`make test`, `make test-fast`): one worker per core, and one more.

    A worker often waits on what its test started (a pipeline's steps, a server coming up, a
    gateway's time limit) while it holds no core: with one worker per core the 2-core machine
    sat 10% idle through the whole suite. Side by side on 2 cores: the whole suite 295 s with 3
    workers vs 314-332 s with 2, the fast tier 41-43 s vs 43-49 s.
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides where it is set (pytest-xdist's own rule).
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The LONGEST modules first, then other slow modules; a module's tests stay together and in
    their own order."""
    modules = list(dict.fromkeys(item.path for item in items))
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    order = {
        module: (_RANK.get(module, len(_RANK)), module not in slow, position)
        for position, module in enumerate(modules)
    }
    items.sort(key=lambda item: order[item.path])


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point MLOPS_HOME at a fresh folder and MLflow at nothing shared."""
    monkeypatch.setenv("MLOPS_HOME", str(tmp_path / ".mlops"))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
    for variable in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_RUN_ID"):
        monkeypatch.delenv(variable, raising=False)


# What only a test marked slow may start: `make test-fast` runs no pipeline and no server.
_SLOW_ONLY = {
    ("mlops.engine.execute", "Execution", "_start"): "a job's node",
    ("mlops.engine.sweeps.trials", "TrialRunner", "_start"): "a sweep's trial",
    ("mlops.online.server", None, "start"): "an online deployment's server",
    ("mlops.online.endpoints", None, "ensure_gateway"): "an endpoint's gateway",
    ("mlops.online.deployments", None, "ensure_gateway"): "an endpoint's gateway",
}


@pytest.fixture(autouse=True)
def _fast_tests_start_no_pipeline_or_server(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test not marked slow that starts a node, a trial or a server fails, naming the fix."""
    if request.node.get_closest_marker("slow"):
        yield
        return
    started: list[str] = []
    # Every module imported before any is patched: one imported under a patch (deployments'
    # `from mlops.online.endpoints import ensure_gateway`) would keep the refusal for good.
    modules = {
        module_name: importlib.import_module(module_name) for module_name, _, _ in _SLOW_ONLY
    }
    for (module_name, owner_name, name), what in _SLOW_ONLY.items():
        module = modules[module_name]
        owner = getattr(module, owner_name) if owner_name else module

        def refuse(*args: object, _what: str = what, **kwargs: object) -> None:
            started.append(_what)
            raise RuntimeError(f"a test not marked slow started {_what}")

        monkeypatch.setattr(owner, name, refuse)
    yield
    assert not started, f"this test starts {started[0]}: mark it @pytest.mark.slow"


@pytest.fixture(scope="session")
def _migrated_mlflow_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow SQLite store with its schema created once per run, not once per xdist
    worker: MLflow's import and migrations take 2-4 s, 10-20 s on a loaded machine.

    The workers of one run share the parent of their temporary folders; the first makes the
    store there under a lock, the others copy it.
    """
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    database = shared / "mlflow-template" / "mlflow.db"
    with FileLock(str(shared / "mlflow-template.lock")):
        if not database.exists():
            # MLflow's import is deferred to the first test that needs a store.
            from mlflow.tracking import MlflowClient

            database.parent.mkdir(exist_ok=True)
            partial = database.with_suffix(".partial")
            MlflowClient(tracking_uri=f"sqlite:///{partial}").search_experiments(max_results=1)
            partial.rename(database)
    return database


@pytest.fixture
def mlops_home(tmp_path: Path, _migrated_mlflow_database: Path) -> Path:
    """The test's local state folder, with a ready MLflow store in it."""
    home = tmp_path / ".mlops"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    return home
