"""Start the Azure ML inference server around a deployment's scoring script, on a private socket.

azmlinfsrv's own command line binds every interface (0.0.0.0), so gunicorn is started directly
with the server's WSGI app, the environment variables the server reads, and the deployment's
settings, bound to a Unix socket in a folder only its owner can enter: the endpoint's gateway,
which checks the key, is the only way to the server. Its workers are gunicorn's sync workers that
keep the gateway's connections open between requests (serverside/mlops_worker.py).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError
from mlops.online import processes

_LOG_LINES_ON_FAILURE = 30
_DEFAULT_READY_SECONDS = 120.0
# The gateway answers 408 at request_timeout_ms; the server's own limit comes a little later,
# so the model's answer is never a 500 from the server timing out first.
_SERVER_TIMEOUT_MARGIN_MS = 1000
# The worker class's folder goes on the server's PYTHONPATH; it needs nothing but gunicorn.
_WORKER_FOLDER = Path(__file__).resolve().parent / "serverside"
# The scoring script of a no-code MLflow deployment (one with no code_configuration).
MLFLOW_SCORING_SCRIPT = _WORKER_FOLDER / "mlflow_score.py"
_WORKER_CLASS = "mlops_worker.KeepAliveWorker"


def private_socket(prefix: str) -> str:
    """A socket path in a new folder only the owner can enter (0700).

    The folder is under the temporary directory, not the state folder: a Unix socket path is
    limited to about 100 bytes, which a deep MLOPS_HOME would exceed.
    """
    folder = tempfile.mkdtemp(prefix=f"mlops-{prefix}-")
    os.chmod(folder, 0o700)
    return str(Path(folder) / "server.sock")


def remove_socket(path: str | None) -> None:
    """Remove a socket made by `private_socket`, and its folder."""
    if path:
        shutil.rmtree(Path(path).parent, ignore_errors=True)


def require_mlflow_model(model_path: Path, where: str) -> None:
    """Refuse a no-code deployment (no code_configuration, online or batch) of a model that is not
    an MLflow model: Azure generates a scoring script for MLflow models only.

    Raises:
        MlopsError: `model_path` holds no MLmodel file; `where` names the deployment.
    """
    if not (model_path / "MLmodel").is_file():
        raise MlopsError(
            f"{where}: no code_configuration, and its model is not an MLflow model (no MLmodel "
            f"file in {model_path}). Fix: add code_configuration (code and scoring_script), or "
            "deploy a model saved by MLflow (type: mlflow_model)."
        )


def lay_out_model(model_path: Path, name: str, version: str | None, target: Path) -> Path:
    """Place the model as Azure does; returns the AZUREML_MODEL_DIR value.

    A registered model: `AZUREML_MODEL_DIR=<root>/<name>/<version>`, the model's folder inside
    it. A local path: `AZUREML_MODEL_DIR=<root>`, the folder (or file) inside it by its name.
    """
    model_dir = target / name / version if version else target
    placed = model_dir / model_path.name
    placed.parent.mkdir(parents=True, exist_ok=True)
    if model_path.is_dir():
        shutil.copytree(model_path, placed, dirs_exist_ok=True)
    else:
        shutil.copy2(model_path, placed)
    return model_dir


def worker_count(settings: dict[str, Any]) -> int:
    """The server's workers: max_concurrent_requests_per_instance, at most one per core. The
    gateway opens at most this many connections to it (each worker keeps one)."""
    concurrent = int(settings.get("max_concurrent_requests_per_instance") or 1)
    return max(1, min(concurrent, os.cpu_count() or 1))


def start(
    *,
    code: Path,
    scoring_script: str,
    model_dir: Path,
    bind: str,
    settings: dict[str, Any],
    environment_variables: dict[str, str],
    log: Path,
    python: str | None = None,
) -> int:
    """Start a detached inference server; returns its pid (its process group).

    Args:
        bind: gunicorn's bind address: `unix:<path>` for a deployment, `127.0.0.1:<port>` only
            for a benchmark's direct comparison.
        python: The interpreter of the deployment's environment (default: the engine's).
    """
    workers = worker_count(settings)
    timeout_ms = int(settings.get("request_timeout_ms") or 5000)
    env = dict(os.environ)
    env.update(
        {
            "AZUREML_MODEL_DIR": str(model_dir),
            "AZUREML_ENTRY_SCRIPT": scoring_script,
            "AML_APP_ROOT": str(code),
            "SCORING_TIMEOUT_MS": str(timeout_ms + _SERVER_TIMEOUT_MARGIN_MS),
            "WORKER_COUNT": str(workers),
            "GUNICORN_CMD_ARGS": "--no-control-socket",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(code), str(_WORKER_FOLDER), env.get("PYTHONPATH")])
            ),
        }
    )
    env.update(environment_variables)
    argv = [
        python or sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        _WORKER_CLASS,
        "--timeout",
        str(max(1, timeout_ms // 1000 + 5)),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "azureml_inference_server_http.server.entry:app",
    ]
    return processes.start_detached(argv, env=env, log=log, cwd=code)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def healthy(socket_path: str, timeout: float = 1.0) -> bool:
    """Whether the server on a Unix socket answers its health route (GET /) with 200."""
    connection = _UnixConnection(socket_path, timeout)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_ready(
    pid: int, socket_path: str, log: Path, timeout: float = _DEFAULT_READY_SECONDS
) -> None:
    """Return when the server answers its health route.

    Raises:
        MlopsError: The server exited (init() failed) or did not become ready in time; the
            message carries the log's last lines. The process is stopped.
    """
    deadline = time.time() + timeout
    while time.time() < deadline:
        if healthy(socket_path):
            return
        if not processes.alive(pid):
            break
        time.sleep(0.2)
    processes.stop(pid)
    tail = "\n".join(f"  | {line}" for line in processes.log_tail(log, _LOG_LINES_ON_FAILURE))
    reason = "did not become ready in time" if time.time() >= deadline else "exited while starting"
    raise MlopsError(f"the deployment's inference server {reason}; the log's last lines:\n{tail}")
