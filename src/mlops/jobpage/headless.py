"""Load a page in a headless Chromium, offline: the DOM after its scripts ran, what it wrote to
the console, and a screenshot. For the job page's browser test and its screenshot in the docs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlops.errors import MlopsError

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Chromium's log line for a console message: `[pid:tid:time:INFO:CONSOLE:1] "text", source: ...`
_CONSOLE = re.compile(r":CONSOLE[^\]]*\] (?P<message>.*)$")


@dataclass(frozen=True)
class Loaded:
    """What a browser made of a page."""

    dom: str
    console: tuple[str, ...]
    screenshot: bytes


def find_browser() -> str | None:
    """A Chromium-family browser on PATH (`MLOPS_BROWSER` names another), or None."""
    named = os.environ.get("MLOPS_BROWSER")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in _NAMES if (found := shutil.which(name))), None)


def load(page: Path, *, width: int = 1280, height: int = 900, timeout: float = 90) -> Loaded:
    """Load `page` (a local file) in headless Chromium with every host unresolvable.

    Raises:
        MlopsError: There is no browser, or it failed.
    """
    browser = find_browser()
    if browser is None:
        raise MlopsError("no Chromium found. Fix: apt-get install -y chromium (or MLOPS_BROWSER).")
    with tempfile.TemporaryDirectory(prefix="mlops-browser-") as scratch:
        shot = Path(scratch) / "page.png"
        argv = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--hide-scrollbars",
            # No network: a page that needs a remote asset shows it by failing here.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={scratch}/profile",
            f"--window-size={width},{height}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            "--dump-dom",
            page.absolute().as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise MlopsError(f"{browser} did not load {page} within {timeout:.0f} s") from error
        if done.returncode != 0 or not shot.is_file():
            raise MlopsError(f"{browser} failed on {page}: {done.stderr.strip()[-800:]}")
        console = tuple(
            match["message"]
            for line in done.stderr.splitlines()
            if (match := _CONSOLE.search(line))
        )
        return Loaded(done.stdout, console, shot.read_bytes())
