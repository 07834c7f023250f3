"""Who a process is: its PID, when it started and its command line.

A bare PID names a different process once the first one has ended and the number is reused
(after a crash or a reboot). A recorded process is the same one only while a process with its
PID exists and started at the recorded time; only then may it be signalled. The command line is
recorded so that a person can tell which process it was (a server may retitle itself, so it is
not part of the match).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    import psutil

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
