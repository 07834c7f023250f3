"""Detached server processes on loopback: free ports, start, health, stop.

Every process started here is recorded with its identity (PID, start time, command line) in
`records_folder()`. A PID in endpoint or deployment state counts as running, and is signalled,
only while that record matches the process holding the PID: a PID reused by another program
after a crash or a reboot is treated as gone, its record removed, and nothing is sent to it.

The records are per user and machine, not per state folder, because PIDs are: a process is
ours whichever `MLOPS_HOME` names it. They live in the temporary folder, which a reboot (when
every recorded PID becomes meaningless) usually empties.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

from mlops import atomic
from mlops.errors import MlopsError
from mlops.identity import Identity, identify, still_running, terminate

LOOPBACK = "127.0.0.1"

logger = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def start_detached(
    argv: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None
) -> int:
    """Start a process that outlives this one (own session), its output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as stream:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _reap_later(process)
    started = identify(process.pid)
    if started is not None:
        record(started)
    return process.pid


def records_folder() -> Path:
    """This user's folder of process records, private to them.

    Raises:
        MlopsError: The folder exists but another user owns it or others may write to it
            (records there could make `stop` signal processes someone else chose).
    """
    folder = Path(tempfile.gettempdir()) / f"mlops-{os.getuid()}" / "processes"
    folder.parent.mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    for level in (folder.parent, folder):
        status = level.stat()
        if status.st_uid != os.getuid() or status.st_mode & 0o022:
            raise MlopsError(
                f"{level} holds the records of the processes mlops started, but it is not "
                "private to you (another owner, or writable by others). Fix: remove it; "
                "mlops makes it again."
            )
    return folder


def _record_path(pid: int) -> Path:
    return records_folder() / f"{int(pid)}.json"


def recorded(pid: int | None) -> Identity | None:
    """The identity recorded when this project started process `pid`, or None."""
    if not pid:
        return None
    try:
        return Identity.from_json(atomic.read_json(_record_path(pid)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(identity: Identity) -> None:
    """Record a process as this project's (`start_detached` does it for the ones it starts)."""
    atomic.write_json(_record_path(identity.pid), identity.to_json())


def _forget(pid: int) -> None:
    with contextlib.suppress(OSError):
        _record_path(pid).unlink()


def _reap_later(process: subprocess.Popen[bytes]) -> None:
    threading.Thread(target=process.wait, daemon=True).start()


def alive(pid: int | None) -> bool:
    """Whether the process this project recorded as `pid` still runs (not a zombie).

    A PID with no record, or held by a process that started at another time, is not ours:
    False, and a stale record is removed (the caller then treats the process as gone).
    """
    if not pid:
        return False
    identity = recorded(pid)
    if still_running(identity):
        return True
    if identity is not None and identify(pid) is not None:
        logger.info(
            "process %s is no longer the one this project started (%s); treating it as gone",
            pid,
            " ".join(identity.command) or "unknown command",
        )
    _forget(pid)
    return False


def stop(pid: int | None, grace_seconds: float = 5.0) -> None:
    """Stop a recorded process and its group: SIGTERM, then SIGKILL after the grace.

    Nothing is sent unless the PID still belongs to the process recorded (see `alive`).
    """
    if not alive(pid):
        return
    assert pid is not None
    identity = recorded(pid)
    assert identity is not None
    terminate(identity, grace_seconds)
    _forget(pid)


def healthy(port: int, path: str = "/", timeout: float = 1.0) -> bool:
    """Whether GET http://127.0.0.1:<port><path> answers 200."""
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{path}", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def log_tail(log: Path, lines: int) -> list[str]:
    """The last lines of a log file."""
    if not log.is_file():
        return []
    return log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
