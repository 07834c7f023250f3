"""A deployment script written for az ml, as Azure's public samples write them, runs unchanged
with AZ_ML=mlops: an MLflow model registered, a no-code deployment, an invocation, a delete."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tool_fixtures import save_model

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parent / "scripts" / "deploy_mlflow_model.sh"

ENDPOINT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: mlflow-sample
auth_mode: key
"""
DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: mlflow
endpoint_name: mlflow-sample
model: azureml:sample-mlflow-model@latest
instance_type: Standard_DS3_v2
instance_count: 1
"""
REQUEST = {"input_data": {"columns": ["x1", "x2"], "index": [0, 1], "data": [[1, 2], [3, 1]]}}


def test_an_az_ml_deployment_script_runs_with_mlops(tmp_path: Path, mlops_home: Path) -> None:
    shutil.copytree(save_model(tmp_path, slope=2.0), tmp_path / "model")  # y = 2 * x1 + x2
    (tmp_path / "endpoint.yml").write_text(ENDPOINT)
    (tmp_path / "deployment.yml").write_text(DEPLOYMENT)
    (tmp_path / "sample-request.json").write_text(json.dumps(REQUEST))
    done = subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=tmp_path,
        env={**os.environ, "AZ_ML": f"{sys.executable} -m mlops"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "registered sample-mlflow-model version 1"
    assert json.loads("\n".join(lines[1:])) == pytest.approx([4.0, 7.0])
    assert not (mlops_home / "endpoints" / "mlflow-sample").exists(), "the endpoint is deleted"
