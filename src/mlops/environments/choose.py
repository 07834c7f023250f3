"""Decide where an environment runs: the engine's interpreter or a build, by the mode."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops.assets.packages import unmet
from mlops.environments import cache
from mlops.environments.build import build
from mlops.environments.interpreters import interpreter_for
from mlops.environments.key import build_key
from mlops.environments.overlay import (
    engine_interpreter,
    engine_site_packages,
    real_interpreter,
    site_packages,
)
from mlops.environments.runtime import runtime_requirements
from mlops.environments.spec import Spec


@dataclass(frozen=True)
class Prepared:
    """Where an environment runs, and why.

    Attributes:
        label: The environment's name for users.
        mode: auto, isolated or shared.
        ran_in: "engine" (the engine's interpreter) or "build" (a cached virtualenv).
        reason: Why, in a few words.
        python: The real interpreter executable.
        version: Its `major.minor`; full_version its `major.minor.micro`.
        site: The site-packages the process sees (the build's, or the engine's).
        bin_folder: The build's bin folder, None for the engine.
        key: The build's content key, None for the engine.
        build_seconds: Time spent building now (0.0 when cached or not built).
        notes: Lines about what is not honoured locally.
    """

    label: str
    mode: str
    ran_in: str
    reason: str
    python: Path
    version: str
    full_version: str
    site: tuple[Path, ...]
    bin_folder: Path | None = None
    key: str | None = None
    build_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The entry shown in a job's or deployment's record."""
        return {
            "name": self.label,
            "mode": self.mode,
            "ran_in": self.ran_in,
            "reason": self.reason,
            "python": self.version,
            "path": str(self.bin_folder.parent) if self.bin_folder else sys.prefix,
            "key": self.key,
            "notes": list(self.notes),
        }


def _engine(spec: Spec, mode: str, reason: str, notes: tuple[str, ...]) -> Prepared:
    return Prepared(
        spec.label,
        mode,
        "engine",
        reason,
        engine_interpreter(),
        f"{sys.version_info.major}.{sys.version_info.minor}",
        platform.python_version(),
        tuple(engine_site_packages()),
        notes=notes,
    )


def _full_version(folder: Path) -> str:
    for line in (folder / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in {"version_info", "version"}:
            return value.strip()
    return ""


def prepare(spec: Spec, mode: str, kind: str) -> Prepared:
    """Where `spec` runs in `mode` for `kind` ("node" or "deployment"), building when needed.

    Raises:
        MlopsError: The build failed (see `build.build`).
    """
    notes = spec.notes
    if not spec.buildable:
        return _engine(spec, mode, "nothing to build locally", notes)
    if mode == "shared":
        return _engine(spec, mode, "shared mode never builds", notes)
    runtime = runtime_requirements(kind, spec.requirements)
    interpreter = interpreter_for(spec.python)
    if interpreter.note:
        notes = (*notes, f"{spec.label}: {interpreter.note}")
    if mode == "auto":
        missing = unmet((*spec.requirements, *runtime))
        engine_version = f"{sys.version_info.major}.{sys.version_info.minor}"
        urls = [option for option in spec.options if not option.startswith("-")]
        if not missing and not urls and interpreter.version == engine_version:
            return _engine(spec, mode, "the engine's interpreter satisfies it", notes)
        why = f"the engine lacks {', '.join(missing)}" if missing else "it needs its own Python"
    else:
        why = "isolated mode always builds"
    key = build_key(spec, interpreter, runtime)
    was_built = cache.is_built(key)
    folder, seconds = build(spec, interpreter, runtime, key)
    cache.touch(key)
    reason = f"{why}; {'cached build' if was_built or not seconds else 'built now'}"
    return Prepared(
        spec.label,
        mode,
        "build",
        reason,
        real_interpreter(folder / "bin" / "python"),
        interpreter.version,
        _full_version(folder),
        (site_packages(folder, interpreter.version),),
        folder / "bin",
        key,
        seconds,
        notes,
    )
