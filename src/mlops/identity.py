"""Who a process is: its PID, when it started and its command line.

A bare PID names a different process once the first one has ended and the number is reused
(after a crash or a reboot). A recorded process is the same one only while a process with its
PID exists and started at the recorded time; only then may it be signalled. The command line is
recorded so that a person can tell which process it was (a server may retitle itself, so it is
not part of the match).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from typing import Any

import psutil

# psutil reads start times in clock ticks (10 ms); a reused PID starts at a different time.
_SAME_START_SECONDS = 0.05


@dataclass(frozen=True)
class Identity:
    """One process: its PID, start time (seconds since the epoch) and command line."""

    pid: int
    started: float
    command: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The identity as stored in state files."""
        return {"pid": self.pid, "started": self.started, "command": list(self.command)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Identity:
        """An identity read back from `to_json`'s output."""
        return cls(int(data["pid"]), float(data["started"]), tuple(data.get("command") or ()))


def identify(pid: int | None) -> Identity | None:
    """The identity of the running process `pid`, or None when none runs (or only a zombie).

    Args:
        pid: A process id.
    """
    if not pid:
        return None
    try:
        process = psutil.Process(int(pid))
        with process.oneshot():
            if process.status() == psutil.STATUS_ZOMBIE:
                return None
            started = process.create_time()
            try:
                command = tuple(process.cmdline())
            except psutil.AccessDenied:
                command = ()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return None
    return Identity(int(pid), started, command)


def still_running(recorded: Identity | None) -> bool:
    """Whether the recorded process still runs: its PID exists with the same start time."""
    if recorded is None:
        return False
    current = identify(recorded.pid)
    return current is not None and abs(current.started - recorded.started) < _SAME_START_SECONDS


def terminate(recorded: Identity, grace_seconds: float = 5.0) -> None:
    """Stop a recorded process and the process group it leads: SIGTERM, then SIGKILL after the
    grace. Nothing is sent once its PID belongs to another process (see `still_running`)."""
    if not still_running(recorded):
        return
    _signal(recorded.pid, signal.SIGTERM)
    deadline = time.time() + grace_seconds
    while still_running(recorded) and time.time() < deadline:
        time.sleep(0.05)
    if still_running(recorded):
        _signal(recorded.pid, signal.SIGKILL)
        while still_running(recorded) and time.time() < deadline + 2:
            time.sleep(0.05)


def _signal(pid: int, signal_number: int) -> None:
    """Signal the process group `pid` leads (it was started in its own session), or only the
    process when it leads none: a group id is only ours through its leader."""
    try:
        leads_group = os.getpgid(pid) == pid
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if leads_group:
            os.killpg(pid, signal_number)
        else:
            os.kill(pid, signal_number)
