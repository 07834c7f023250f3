"""The inference server's worker process: how it ends."""

from __future__ import annotations

import subprocess
import sys

from exit_probe import EXIT_PROBE

from mlops.online.server import _WORKER_FOLDER

# The worker's start (gunicorn's own part replaced by nothing), then a scoring script's end.
SCRIPT = (
    """
from gunicorn.workers.sync import SyncWorker
SyncWorker.init_process = lambda self: None
import mlops_worker
mlops_worker.KeepAliveWorker.init_process(object.__new__(mlops_worker.KeepAliveWorker))
"""
    + EXIT_PROBE
)


def test_a_worker_freezes_its_objects_after_the_scripts_exit_handlers() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PYTHONPATH": str(_WORKER_FOLDER)},
    )
    # The script's handler ran first (nothing frozen yet); the shutdown collected nothing.
    assert answer.stdout.splitlines() == ["handler ran, frozen 0"]
