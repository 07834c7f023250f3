"""`--web`: write the job's page under its folder, open it in the browser, redraw it while the
job runs.

A static file rather than a local server: nothing listens on a port, the page outlives the
command that wrote it, and file links to logs and outputs work as they are. While the job is live
the page reloads itself and whoever follows the job redraws it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import TextIO

from mlops import atomic
from mlops.errors import NotFoundError
from mlops.jobpage import source
from mlops.jobpage.page import render

logger = logging.getLogger(__name__)

PAGE_FILE = "page.html"
_FOLLOW_SECONDS = 1.0
_REDRAW_SECONDS = 5.0


def write_page(name: str) -> Path:
    """Render job `name`'s page into its folder; returns the file.

    Raises:
        NotFoundError: No such job.
    """
    return _draw(name)[0]


def _draw(name: str) -> tuple[Path, bool]:
    """Write the page; return it and whether the job is still live."""
    job = source.read_job(name)
    path = source.job_folder(name) / PAGE_FILE
    atomic.write_text(path, render(job))
    return path, job.live


def open_in_browser(path: Path, err: TextIO | None = None) -> bool:
    """Open the page in the user's browser; print its address on stderr in any case (the only
    way to it when there is no browser, as in CI or over SSH). Returns whether one opened."""
    err = err or sys.stderr
    address = path.absolute().as_uri()
    # Only for a person at a terminal: not in CI, a script or a test harness.
    opened = err.isatty() and _has_display() and webbrowser.open(address)
    err.write(f"Job page: {address}{'' if opened else ' (no browser here: open it yourself)'}\n")
    return bool(opened)


def _has_display() -> bool:
    """Whether a graphical browser can open: on Linux without a display Python's webbrowser
    would start a text browser in this terminal instead. $BROWSER always wins."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def follow(name: str, stop: threading.Event | None = None) -> Path:
    """Redraw job `name`'s page each time its record changes, until the job ends (or `stop`).

    Raises:
        NotFoundError: No such job.
    """
    stop = stop or threading.Event()
    record = source.job_folder(name) / "job.json"
    seen = None
    drawn = 0.0
    path = source.job_folder(name) / PAGE_FILE
    while True:
        changed = record.stat().st_mtime_ns if record.exists() else None
        # Also now and then while nothing changes: a running node's seconds count up.
        if changed != seen or time.monotonic() - drawn >= _REDRAW_SECONDS:
            seen, drawn = changed, time.monotonic()
            path, live = _draw(name)
            if not live:
                return path
        if stop.wait(_FOLLOW_SECONDS):
            return write_page(name)


class PageFollower:
    """For `job create --web`: opens the page once the job's record exists, redraws it as the
    job runs in this process, and draws it a last time when the job ends."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._stop = threading.Event()
        self._opened = False
        self._thread = threading.Thread(target=self._run, name="jobpage", daemon=True)

    def __enter__(self) -> PageFollower:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        try:
            path = write_page(self.name)
        except NotFoundError:
            return  # nothing ran (a bad YAML): no page to show
        if not self._opened:
            open_in_browser(path)

    def _run(self) -> None:
        record = source.job_folder(self.name) / "job.json"
        while not record.exists():
            if self._stop.wait(0.1):
                return
        try:
            open_in_browser(write_page(self.name))
            self._opened = True
            follow(self.name, self._stop)
        except Exception:  # the page must never break the job it shows
            logger.exception("The job page could not be drawn")
