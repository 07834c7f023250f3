"""The process the engine starts for a `type: parallel` node: splits the input into
mini-batches and runs them on worker processes with Azure ML's retry, timeout and error
threshold rules, then writes the append_row output.

Run as `python -m mlops.parallel.driver --spec <spec.json>` (see `mlops.parallel`). The driver
runs on the engine's interpreter; its workers run on the interpreter of the node's environment
(`MLOPS_ENVIRONMENT_PYTHON`: the node's overlay over its build), as a command node's `python`
does, so a batch deployment in its own environment sees only that environment's packages.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from mlops import atomic
from mlops.environments import PYTHON_VARIABLE
from mlops.errors import MlopsError
from mlops.parallel.minibatches import MiniBatch, input_files, split
from mlops.parallel.spec import RunSpec
from mlops.parallel.tables import table_batches

logger = logging.getLogger("mlops.batch")
# Started by its path, so that it imports nothing from mlops (see its docstring).
WORKER_SCRIPT = Path(__file__).resolve().parent / "workerside" / "mlops_parallel_worker.py"


def worker_python() -> str:
    """The interpreter the workers run on: the node's environment's, else the driver's own."""
    return os.environ.get(PYTHON_VARIABLE) or sys.executable


@dataclass
class Worker:
    """A worker process, the pipe to it, and the mini-batch it is scoring."""

    process: subprocess.Popen
    connection: Connection
    ready: bool = False
    task: int | None = None
    deadline: float | None = None


@dataclass
class Outcome:
    """How a run ended: each mini-batch's lines, the failures counted, why it stopped early."""

    lines: dict[int, list[str]] = field(default_factory=dict)
    failed_items: int = 0
    failed_mini_batches: int = 0
    retries: int = 0
    aborted: str | None = None


class ParallelRun:
    """Schedules mini-batches over worker processes; one mini-batch per worker at a time."""

    def __init__(self, spec: RunSpec, spec_path: Path, batches: list[MiniBatch]) -> None:
        self.spec = spec
        self.spec_path = spec_path
        self.batches = batches
        self.pending: deque[int] = deque(range(len(batches)))
        self.attempts: dict[int, int] = {}
        self.outcome = Outcome()
        self.python = worker_python()

    def run(self) -> Outcome:
        """Score every mini-batch (or stop when a threshold is exceeded)."""
        count = min(self.spec.workers, len(self.batches))
        logger.info(
            "Scoring %d mini-batches of %s on %d worker processes.",
            len(self.batches),
            _batch_text(self.spec),
            count,
        )
        workers = [self._start() for _ in range(count)]
        try:
            while not self.outcome.aborted and (
                self.pending or any(w.task is not None for w in workers)
            ):
                self._dispatch(workers)
                self._receive(workers)
                self._expire(workers)
        finally:
            for worker in workers:
                self._stop(worker)
        return self.outcome

    def _start(self) -> Worker:
        parent, child = multiprocessing.Pipe()
        try:
            process = subprocess.Popen(
                [self.python, str(WORKER_SCRIPT), str(self.spec_path), str(child.fileno())],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            child.close()
        return Worker(process, parent)

    def _stop(self, worker: Worker) -> None:
        if worker.process.poll() is None and worker.task is None and worker.ready:
            # A worker that died since its last message has closed its end already.
            with contextlib.suppress(OSError):
                worker.connection.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(5)
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait()
        worker.connection.close()

    def _dispatch(self, workers: list[Worker]) -> None:
        for worker in workers:
            if worker.ready and worker.task is None and self.pending:
                index = self.pending.popleft()
                worker.task = index
                worker.deadline = time.monotonic() + self.spec.timeout_s
                worker.connection.send((index, self.batches[index].payload))

    def _receive(self, workers: list[Worker]) -> None:
        deadlines = [w.deadline for w in workers if w.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready = wait([w.connection for w in workers], timeout)
        for position, worker in enumerate(workers):
            if worker.connection not in ready:
                continue
            try:
                message = worker.connection.recv()
            except (EOFError, OSError):
                self._replace(workers, position, "its worker process exited")
                continue
            self._handle(worker, message)

    def _handle(self, worker: Worker, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
        elif kind == "init_failed":
            self.outcome.aborted = f"init() failed in a worker:\n{message[1]}"
        elif kind == "done":
            _, index, lines, items = message
            self._finish(worker)
            self.outcome.lines[index] = lines
            if len(lines) < items:
                logger.warning(
                    "Mini-batch %d: run() returned %d rows for %d items; "
                    "the %d missing count as failed items.",
                    index,
                    len(lines),
                    items,
                    items - len(lines),
                )
                self.outcome.failed_items += items - len(lines)
                self._check_thresholds()
        elif kind == "error":
            _, index, error = message
            self._finish(worker)
            self._failed(index, f"run() raised:\n{error}")

    def _finish(self, worker: Worker) -> None:
        worker.task = None
        worker.deadline = None

    def _expire(self, workers: list[Worker]) -> None:
        now = time.monotonic()
        for position, worker in enumerate(workers):
            if worker.deadline is not None and worker.deadline <= now:
                self._replace(workers, position, f"it timed out after {self.spec.timeout_s:g} s")

    def _replace(self, workers: list[Worker], position: int, reason: str) -> None:
        """Kill a worker that hung or died and start a fresh one (which runs init() again)."""
        worker = workers[position]
        index = worker.task
        worker.task = None
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait()
        worker.connection.close()
        if index is None and not worker.ready:
            self.outcome.aborted = "a worker process exited during init()"
            workers[position] = worker
            return
        workers[position] = self._start()
        if index is not None:
            self._failed(index, reason)

    def _failed(self, index: int, reason: str) -> None:
        attempt = self.attempts[index] = self.attempts.get(index, 0) + 1
        items = self.batches[index].items
        if attempt <= self.spec.max_retries:
            logger.warning(
                "Mini-batch %d failed (attempt %d of %d), %s; retrying.",
                index,
                attempt,
                self.spec.max_retries + 1,
                reason,
            )
            self.outcome.retries += 1
            self.pending.append(index)
            return
        logger.error(
            "Mini-batch %d (%d items) failed after %d attempts, %s", index, items, attempt, reason
        )
        self.outcome.failed_mini_batches += 1
        self.outcome.failed_items += items
        self._check_thresholds()

    def _check_thresholds(self) -> None:
        spec, outcome = self.spec, self.outcome
        if spec.error_threshold >= 0 and outcome.failed_items > spec.error_threshold:
            outcome.aborted = (
                f"{outcome.failed_items} failed items exceed error_threshold {spec.error_threshold}"
            )
        elif (
            spec.mini_batch_error_threshold >= 0
            and outcome.failed_mini_batches > spec.mini_batch_error_threshold
        ):
            outcome.aborted = (
                f"{outcome.failed_mini_batches} failed mini-batches exceed "
                f"mini_batch_error_threshold {spec.mini_batch_error_threshold}"
            )


def mini_batches(spec: RunSpec) -> list[MiniBatch]:
    """The mini-batches of a run: rows of a table, else files.

    Raises:
        MlopsError: The input holds no file, or the table no row.
    """
    if spec.table and spec.table["transformations"]:
        pairs = table_batches(spec.table, spec.mini_batch_size, spec.partition_keys)
        return [MiniBatch(payload, items) for payload, items in pairs]
    files = spec.table["files"] if spec.table else input_files(Path(spec.input_path))
    return [MiniBatch(batch, len(batch)) for batch in split(files, spec.mini_batch_size)]


def _batch_text(spec: RunSpec) -> str:
    if spec.partition_keys:
        return f"one partition of {', '.join(spec.partition_keys)} each"
    if spec.table and spec.table["transformations"]:
        return f"about {spec.mini_batch_size} bytes of rows"
    return f"up to {spec.mini_batch_size} files"


def run_spec(spec_path: Path) -> Outcome:
    """Run the parallel node a spec describes and write its append_row output.

    Args:
        spec_path: The JSON spec (`mlops.parallel.spec.RunSpec`).

    Returns:
        How the run ended.

    Raises:
        MlopsError: The input holds no file, or its table no row or cannot be read.
    """
    spec = RunSpec.load(spec_path)
    batches = mini_batches(spec)
    outcome = ParallelRun(spec, spec_path, batches).run()
    if outcome.aborted:
        return outcome
    rows = [line for index in sorted(outcome.lines) for line in outcome.lines[index]]
    if spec.append_row_to:
        text = "".join(f"{line}\n" for line in rows)
        atomic.write_text(Path(spec.append_row_to), text)
        logger.info("Wrote %d rows to %s.", len(rows), spec.append_row_to)
    logger.info(
        "Done: %d mini-batches, %d retries, %d failed mini-batches, %d failed items.",
        len(batches),
        outcome.retries,
        outcome.failed_mini_batches,
        outcome.failed_items,
    )
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    """Run a parallel node; exit 1 when it fails (a threshold exceeded, init() failed).

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m mlops.parallel.driver", description=__doc__)
    parser.add_argument("--spec", type=Path, required=True, help="The run spec (JSON).")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        outcome = run_spec(args.spec)
    except MlopsError as error:
        logger.error("%s", error)
        return 1
    if outcome.aborted:
        logger.error("The parallel run failed: %s.", outcome.aborted)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
