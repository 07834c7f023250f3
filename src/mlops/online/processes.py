"""Detached server processes on loopback: free ports, start, health, stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"


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
    return process.pid


def _reap_later(process: subprocess.Popen[bytes]) -> None:
    import threading

    threading.Thread(target=process.wait, daemon=True).start()


def alive(pid: int | None) -> bool:
    """Whether a process exists and is not a zombie."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def stop(pid: int | None, grace_seconds: float = 5.0) -> None:
    """Stop a detached process and its whole group: SIGTERM, then SIGKILL after the grace."""
    if not alive(pid):
        return
    assert pid is not None
    _signal(pid, signal.SIGTERM)
    deadline = time.time() + grace_seconds
    while alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    if alive(pid):
        _signal(pid, signal.SIGKILL)
        while alive(pid) and time.time() < deadline + 2:
            time.sleep(0.05)


def _signal(pid: int, signal_number: int) -> None:
    try:
        os.killpg(pid, signal_number)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal_number)


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
