"""The overlay venv a node runs in: what its start-up line does to the node's process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from exit_probe import EXIT_PROBE

from mlops.environments.overlay import engine_site_packages, make_overlay

# A node's script: the exit probe, then an import from the engine's packages.
SCRIPT = (
    EXIT_PROBE
    + """
import filelock
os.write(1, f"imported {filelock.__name__}\\n".encode())
"""
)


def _overlay_python(folder: Path) -> str:
    base = Path(getattr(sys, "_base_executable", None) or sys.executable).resolve()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    bin_folder = make_overlay(folder, base, engine_site_packages(), version, sys.version.split()[0])
    return str(bin_folder / "python")


def test_a_node_process_freezes_its_objects_after_every_exit_handler(tmp_path: Path) -> None:
    python = _overlay_python(tmp_path / "venv")
    answer = subprocess.run(
        [python, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    # The engine's packages are seen; the script's own exit handler ran before the freeze
    # (nothing frozen yet), and the shutdown then ran no collection over the frozen objects.
    assert answer.stdout.splitlines() == ["imported filelock", "handler ran, frozen 0"]


def test_without_the_overlay_the_shutdown_collects_the_cycle(tmp_path: Path) -> None:
    # The same script on the plain interpreter: what the freeze saves is that collection.
    answer = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    assert answer.stdout.splitlines() == [
        "imported filelock",
        "handler ran, frozen 0",
        "cycle collected",
    ]
