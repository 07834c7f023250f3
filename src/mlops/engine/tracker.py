"""The job's MLflow runs, kept by a helper process so MLflow's start-up (~2.7 s: import and
store) overlaps with azure-ai-ml's while the engine loads the YAML, on another core.

`JobRuns` (runs.py) talks to it over pipes, one JSON line per request and per answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any

from mlops import tracking
from mlops.errors import MlopsError


class Tracker:
    """A running tracker process; `call` sends one request and returns its answer."""

    def __init__(self, *, start: bool = True) -> None:
        """Start the process now (its MLflow loads while the engine works), or at the first
        `call` when `start` is False (a job whose runs need no MLflow may never start it)."""
        self._process: subprocess.Popen[str] | None = None
        if start:
            self._start()

    def _start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from mlops.engine.tracker import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            start_new_session=True,  # Ctrl-C reaches the engine, which still needs the tracker
            # MLflow's own notices (creating the database ...) are not the user's business here.
            env={**os.environ, "MLFLOW_CONFIGURE_LOGGING": "false"},
        )

    def call(self, operation: str, **arguments: Any) -> Any:
        """Run `operation` (a method of `_Operations`) in the tracker.

        Raises:
            MlopsError: The tracker failed or answered with an error.
        """
        if self._process is None:
            self._start()
        assert self._process and self._process.stdin and self._process.stdout
        try:
            self._process.stdin.write(json.dumps({"operation": operation, **arguments}) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        except (BrokenPipeError, OSError) as error:
            raise MlopsError(f"the MLflow tracker process stopped: {error}") from None
        if not line:
            raise MlopsError("the MLflow tracker process stopped; see the messages above.")
        answer = json.loads(line)
        if "error" in answer:
            raise MlopsError(f"MLflow: {answer['error']}")
        return answer["result"]

    def close(self) -> None:
        """Let the tracker exit: every request so far has been answered, so nothing is lost,
        and the engine need not wait the ~0.6 s MLflow takes to shut down."""
        if self._process is None:
            return
        for stream in (self._process.stdin, self._process.stdout):
            if stream and not stream.closed:
                stream.close()
        process = self._process
        threading.Thread(target=process.wait, daemon=True).start()


class _Operations:
    """What the tracker does, in its own process, on the configured MLflow store."""

    def __init__(self) -> None:
        self.tracking = tracking
        self.client = tracking.client()

    def experiment(self, name: str) -> str:
        return self.tracking.experiment_id(name)

    def create_run(self, experiment_id: str, run_name: str, tags: dict[str, str]) -> str:
        return self.client.create_run(experiment_id, tags=tags, run_name=run_name).info.run_id

    def finish(self, run_id: str, status: str) -> None:
        self.client.set_terminated(run_id, status)

    def results(self, run_id: str) -> list[dict[str, Any]]:
        data = self.client.get_run(run_id).data
        return [dict(data.metrics), dict(data.tags)]

    def history(self, run_id: str, key: str) -> list[float]:
        values = self.client.get_metric_history(run_id, key)
        return [m.value for m in sorted(values, key=lambda m: (m.step, m.timestamp))]

    def log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        # mlflow's import costs about a second: paid only when a node logs its first metrics.
        from mlflow.entities import Metric

        if metrics:
            self.client.log_batch(run_id, metrics=[Metric(k, v, 0, 0) for k, v in metrics.items()])


def serve() -> None:
    """Answer requests from stdin until it closes, then exit at once.

    Every answer was written after its change was committed, so nothing is left to do: the
    interpreter's teardown of MLflow and SQLAlchemy (0.6 s, seconds under load) is skipped,
    as it would hold the engine's inherited stderr open, and with it a caller reading the
    engine's output to its end (a pipe, `subprocess.run`), after the job has ended.
    """
    operations = _Operations()
    for line in sys.stdin:
        request = json.loads(line)
        method = getattr(operations, request.pop("operation"))
        try:
            answer = {"result": method(**request)}
        except Exception as error:  # every failure goes back to the engine as a message
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
