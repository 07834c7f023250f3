"""A throwaway virtualenv over another one, so a process's `pip install` lands in it.

The overlay is a hand-made venv (a pyvenv.cfg, links to the base interpreter, a `.pth` file
that adds the base's site-packages after its own): it takes about a millisecond, and whatever
a node installs goes into the overlay, never into the engine's interpreter or a cached build.
"""

from __future__ import annotations

import os
import shutil
import site
import sys
from pathlib import Path

from mlops.environments.interpreters import uv_binary

_PTH = "_mlops_base_environment.pth"

# A node's process ends with its objects frozen out of the garbage collector: the interpreter's
# shutdown otherwise runs full collections over every object MLflow, scikit-learn and pandas
# made at import (~260,000), 0.5-1.2 s of CPU per step, to free memory the exit frees anyway.
# Registered before anything else, it runs after every other exit handler (last in, first out:
# MLflow's, logging's, weakref.finalize's), and objects freed by reference count still are; only
# garbage in reference cycles is left to the exit, as os._exit would leave it.
FREEZE_AT_EXIT = "import atexit, gc; atexit.register(gc.freeze)\n"


def site_packages(venv: Path, version: str) -> Path:
    """The site-packages folder of a POSIX virtualenv."""
    return venv / "lib" / f"python{version}" / "site-packages"


def make_overlay(
    folder: Path, base_python: Path, base_site: list[Path], version: str, full_version: str
) -> Path:
    """Create an overlay venv in `folder` (replacing one there); returns its bin folder.

    Args:
        folder: Where the overlay goes (the node's own folder).
        base_python: The real interpreter executable (not a venv's link to it).
        base_site: The site-packages folders the overlay sees after its own.
        version: `major.minor` of the interpreter.
        full_version: Its `major.minor.micro`, written into pyvenv.cfg.
    """
    shutil.rmtree(folder, ignore_errors=True)
    bin_folder = folder / "bin"
    bin_folder.mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text(
        f"home = {base_python.parent}\ninclude-system-site-packages = false\n"
        f"version = {full_version}\n",
        encoding="utf-8",
    )
    for name in ("python", "python3", f"python{version}"):
        (bin_folder / name).symlink_to(base_python)
    own_site = site_packages(folder, version)
    own_site.mkdir(parents=True)
    # `import` lines of a .pth run at start-up; addsitedir also reads the base's own .pth
    # files (editable installs), which a plain path line would not.
    lines = FREEZE_AT_EXIT + "".join(
        f"import site; site.addsitedir({str(path)!r})\n" for path in base_site
    )
    (own_site / _PTH).write_text(lines, encoding="utf-8")
    has_pip = any((path / "pip").is_dir() for path in base_site)
    for name in ("pip", "pip3", f"pip{version}"):
        script = bin_folder / name
        if has_pip:
            # pip run by the overlay's interpreter installs into the overlay (sys.prefix).
            script.write_text(
                f"#!{bin_folder / 'python'}\nimport sys\n"
                "from pip._internal.cli.main import main\nsys.exit(main())\n",
                encoding="utf-8",
            )
        else:
            # No pip in the base (uv made it): uv's pip, aimed at the overlay.
            script.write_text(
                f'#!/bin/sh\nexec "{uv_binary()}" pip "$@" --python "{bin_folder / "python"}"\n',
                encoding="utf-8",
            )
        script.chmod(0o755)
    return bin_folder


def engine_site_packages() -> list[Path]:
    """The engine interpreter's own site-packages folders (its venv's, when it runs in one)."""
    return [Path(path) for path in site.getsitepackages() if Path(path).is_dir()]


def real_interpreter(python: Path) -> Path:
    """The executable a venv's `python` link leads to."""
    return Path(os.path.realpath(python))


def engine_interpreter() -> Path:
    """The engine's base interpreter executable."""
    return real_interpreter(Path(getattr(sys, "_base_executable", None) or sys.executable))
