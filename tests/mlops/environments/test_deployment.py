"""Deployments whose environment needs a package the engine lacks: an online deployment's server
and a batch deployment's workers run on the environment's build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parent / "project"


def test_a_deployment_serves_from_its_own_environment(
    tmp_path: Path, mlops_home: Path, monkeypatch
) -> None:
    from mlops.online import deployments, endpoints

    folder = tmp_path / "deploy"
    shutil.copytree(PROJECT / "deploy", folder)
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


def test_a_batch_deployments_workers_run_on_its_environments_interpreter(
    tmp_path: Path, mlops_home: Path, monkeypatch
) -> None:
    from mlops.batch import deployments, endpoints
    from mlops.batch.invoke import invoke

    folder = tmp_path / "batch_deploy"
    shutil.copytree(PROJECT / "batch_deploy", folder)
    monkeypatch.delenv("MLOPS_ENV_MODE", raising=False)
    endpoints.create_endpoint(folder / "endpoint.yml")
    deployments.create_deployment(folder / "deployment.yml", make_default=True)
    job = invoke("jokes-batch", str(folder / "inputs"))

    assert job["status"] == "Completed", job["jobs"]["batchscoring"]
    environment = job["jobs"]["batchscoring"]["environment"]
    assert (environment["mode"], environment["ran_in"]) == ("auto", "build")
    build = Path(environment["path"])
    assert build.parent == mlops_home / "environments"
    output = Path(job["jobs"]["batchscoring"]["outputs"]["score"]) / "predictions.csv"
    rows = sorted(line.split("|") for line in output.read_text(encoding="utf-8").splitlines())
    assert [row[0] for row in rows] == ["one.txt", "two.txt"]
    for _name, version, jokes_file, prefix, engine_packages, model in rows:
        assert version == "0.8.3"
        assert Path(jokes_file).is_relative_to(build)  # pyjokes from the build
        # The worker's interpreter is the node's overlay over the build, not the engine's venv;
        # neither the engine's packages nor mlops are in sight.
        assert prefix.endswith("/nodes/batchscoring/venv")
        assert engine_packages == "-"
        assert model == "the model"
