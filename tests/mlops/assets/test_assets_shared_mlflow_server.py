"""With MLFLOW_TRACKING_URI on a shared MLflow server, models go there, files included."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlops.assets import resolve_model


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `mlflow server` on 127.0.0.1 with proxied artifacts, stopped afterwards."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{folder / 'server.db'}",
            "--artifacts-destination",
            str(folder / "artifacts"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
        start_new_session=True,
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{uri}/health", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("mlflow server did not start")
                time.sleep(0.3)
        yield uri
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


@pytest.mark.slow
def test_model_created_against_a_server_is_uploaded_and_resolves(
    cli, mlflow_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.txt").write_text("0.25\n")
    shown = cli.ok("model", "create", "-n", "shared_model", "-p", str(folder), "--tags", "a=b")
    assert shown["version"] == "1" and shown["tags"] == {"a": "b"}
    assert not Path(shown["path"]).exists()  # the server holds the files, not this disk
    from mlflow.tracking import MlflowClient

    version = MlflowClient(tracking_uri=mlflow_server).get_model_version("shared_model", "1")
    assert version.run_id
    resolved = resolve_model("azureml:shared_model@latest")
    assert (resolved.path / "weights.txt").read_text() == "0.25\n"
    assert cli.ok("model", "list")[0]["name"] == "shared_model"
