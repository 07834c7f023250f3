"""An online deployment whose environment needs a package the engine lacks: its server runs on
the environment's build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

DEPLOY = Path(__file__).parent / "project" / "deploy"


def test_a_deployment_serves_from_its_own_environment(
    tmp_path: Path, mlops_home: Path, monkeypatch
) -> None:
    from mlops.online import deployments, endpoints

    folder = tmp_path / "deploy"
    shutil.copytree(DEPLOY, folder)
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
    monkeypatch.delenv("MLOPS_ENV_MODE", raising=False)
    endpoints.create_endpoint(folder / "endpoint.yml")
    try:
        deployments.create_deployment(folder / "deployment.yml", all_traffic=True)
        answer = endpoints.invoke("jokes-endpoint", folder / "request.json")
    finally:
        endpoints.delete_endpoint("jokes-endpoint")
    assert answer["pyjokes"] == "0.8.3"
    assert answer["echo"] == {"data": [1]}
    assert answer["prefix"].startswith(str(mlops_home / "environments"))
