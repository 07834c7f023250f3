"""`mlops job stream`: wait for a job and print its log as it grows, as `az ml job stream` does;
a finished job prints its logs at once. Then the execution summary, as az ml ends it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, TextIO

from mlops.engine.status import LIVE_STATUSES, current_record

_POLL_SECONDS = 0.5


def stream_job(name: str, out: TextIO, *, poll_seconds: float = _POLL_SECONDS) -> dict[str, Any]:
    """Print job `name`'s logs to `out` until it ends (a pipeline's lines as `[node] line`, a
    sweep node's trials' as `[node/trial_<n>] line`).

    Returns:
        The job's final record (as `job show` prints it).

    Raises:
        NotFoundError: No such job.
    """
    positions: dict[str, int] = {}
    out.write(f"RunId: {name}\n\n")
    while True:
        record = current_record(name)
        done = record.get("status") not in LIVE_STATUSES
        # Read after the record: once it says the job ended, every log is complete.
        for node, entry in _by_start(record):
            prefix = "" if record.get("type") == "command" else f"[{node}] "
            _print_new(Path(entry.get("log") or ""), node, prefix, positions, out, done)
            for trial in entry.get("trials") or []:  # a sweep node's trials, as `--stream`
                trial_name = str(trial.get("name"))
                log = Path(trial.get("log") or "")
                _print_new(log, trial_name, f"[{trial_name}] ", positions, out, done)
        out.flush()
        if done:
            break
        time.sleep(poll_seconds)
    out.write(
        f"\nExecution Summary\n=================\nRunId: {name}\nStatus: {record.get('status')}\n"
    )
    out.flush()
    return record


def _by_start(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    nodes = (record.get("jobs") or {}).items()
    return sorted(nodes, key=lambda item: (item[1].get("start_time") or "~", item[0]))


def _print_new(
    log: Path, node: str, prefix: str, positions: dict[str, int], out: TextIO, final: bool
) -> None:
    """Print the lines of `log` not printed yet (a last line without its newline only when
    `final`)."""
    if not log.is_file():
        return
    position = positions.get(node, 0)
    with log.open("rb") as stream:
        stream.seek(position)
        data = stream.read()
    complete = data if final else data[: data.rfind(b"\n") + 1]
    positions[node] = position + len(complete)
    for line in complete.decode(errors="replace").splitlines():
        out.write(f"{prefix}{line}\n")
