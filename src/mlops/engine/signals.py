"""SIGTERM and SIGHUP (a `kill`, a closed terminal, a CI runner stopping) stop a job as Ctrl-C
does: the pipeline and sweep runners both catch KeyboardInterrupt to stop their processes."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def stops_like_ctrl_c() -> Iterator[None]:
    """Make SIGTERM and SIGHUP raise KeyboardInterrupt while the block runs, so the job's
    processes are stopped and it ends Canceled (only in the main thread, where handlers go)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signal_number: int, _frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signal_number).name)

    previous = {number: signal.signal(number, interrupt) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
