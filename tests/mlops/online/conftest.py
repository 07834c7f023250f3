"""One real local endpoint with two deployments (blue: model v1, green: model v2), shared by the
online test modules that run on one worker (routing, lifecycle, requests): each inference server
takes seconds to start, and building it once per module cost the suite two more builds (about
10 s each). It serves the tool's own tiny project (tests/mlops/fixture_project), never the sample.
A test that changes it puts back what the fixture promises (traffic on blue, blue v1, green v2)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tool_fixtures import ENDPOINT, MODEL, ONLINE, Live, register_model


@contextmanager
def _state(home: Path) -> Iterator[None]:
    """The environment the shared endpoint is built and deleted in: its own state folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_HOME", str(home))
        patch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield


@pytest.fixture(scope="session")
def live(
    tmp_path_factory: pytest.TempPathFactory, _migrated_mlflow_database: Path
) -> Iterator[Live]:
    """Endpoint `tiny-endpoint` with blue (v1, all traffic) and green (v2, no traffic). The
    environment is set only while it is built and deleted: the tests between see their own."""
    from mlops.online import deployments, endpoints
    from mlops.overrides import Overrides

    home = tmp_path_factory.mktemp("online") / ".mlops"
    home.mkdir()
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    with _state(home):
        for slope in (1.0, 2.0):
            register_model(home.parent, slope)
        created = endpoints.create_endpoint(ONLINE / "endpoint.yml")
        try:
            for color, version in (("blue", 1), ("green", 2)):
                deployments.create_deployment(
                    ONLINE / f"{color}-deployment.yml",
                    all_traffic=color == "blue",
                    overrides=Overrides(set=(f"model=azureml:{MODEL}:{version}",)),
                )
            key = endpoints.get_credentials(ENDPOINT)["primaryKey"]
        except BaseException:
            endpoints.delete_endpoint(ENDPOINT)
            raise
    try:
        yield Live(home, created["scoring_uri"], key)
    finally:
        with _state(home):
            endpoints.delete_endpoint(ENDPOINT)


@pytest.fixture
def online(live: Live, monkeypatch: pytest.MonkeyPatch) -> Live:
    """The shared endpoint, with this test's MLOPS_HOME pointing at its state."""
    monkeypatch.setenv("MLOPS_HOME", str(live.home))
    return live
