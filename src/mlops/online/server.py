"""Start the Azure ML inference server around a deployment's scoring script, bound to 127.0.0.1.

azmlinfsrv's own command line binds every interface, so gunicorn is started directly with the
server's WSGI app, the environment variables the server reads, and the deployment's settings.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError
from mlops.online import processes

_LOG_LINES_ON_FAILURE = 30
_DEFAULT_READY_SECONDS = 120.0


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


def start(
    *,
    code: Path,
    scoring_script: str,
    model_dir: Path,
    port: int,
    settings: dict[str, Any],
    environment_variables: dict[str, str],
    log: Path,
) -> int:
    """Start a detached inference server; returns its pid (its process group)."""
    workers = max(
        1, min(int(settings.get("max_concurrent_requests_per_instance") or 1), os.cpu_count() or 1)
    )
    timeout_ms = int(settings.get("request_timeout_ms") or 5000)
    env = dict(os.environ)
    env.update(
        {
            "AZUREML_MODEL_DIR": str(model_dir),
            "AZUREML_ENTRY_SCRIPT": scoring_script,
            "AML_APP_ROOT": str(code),
            "SCORING_TIMEOUT_MS": str(timeout_ms),
            "WORKER_COUNT": str(workers),
            "GUNICORN_CMD_ARGS": "--no-control-socket",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")])),
        }
    )
    env.update(environment_variables)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{processes.LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(max(1, timeout_ms // 1000 + 5)),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "azureml_inference_server_http.server.entry:app",
    ]
    return processes.start_detached(argv, env=env, log=log, cwd=code)


def wait_ready(pid: int, port: int, log: Path, timeout: float = _DEFAULT_READY_SECONDS) -> None:
    """Return when the server answers its health route.

    Raises:
        MlopsError: The server exited (init() failed) or did not become ready in time; the
            message carries the log's last lines. The process is stopped.
    """
    deadline = time.time() + timeout
    while time.time() < deadline:
        if processes.healthy(port):
            return
        if not processes.alive(pid):
            break
        time.sleep(0.2)
    processes.stop(pid)
    tail = "\n".join(f"  | {line}" for line in processes.log_tail(log, _LOG_LINES_ON_FAILURE))
    reason = "did not become ready in time" if time.time() >= deadline else "exited while starting"
    raise MlopsError(f"the deployment's inference server {reason}; the log's last lines:\n{tail}")
