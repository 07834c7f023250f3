"""Build an environment's virtualenv with uv: `uv venv`, then `uv pip install`.

uv resolves and installs from its cache (offline once warm). A failed build raises one line
naming the package and the resolver's reason, plus the log's path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import time
from pathlib import Path

from mlops.environments import cache
from mlops.environments.interpreters import Interpreter, uv_binary
from mlops.environments.spec import Spec
from mlops.errors import MlopsError

logger = logging.getLogger(__name__)

_BUILD_TIMEOUT_S = 1800
# The lines of uv's error output that say why, most telling first.
_REASONS = (
    re.compile(r"(Because .*)"),
    re.compile(r"(No solution found.*)"),
    re.compile(r"((?:error|×): .*)"),
)
_PACKAGE = re.compile(
    r"(?:Because |not found in the package registry|no version of |version of )"
    r"([A-Za-z0-9_.\-]+)"
)


def _run(argv: list[str], log: Path, env: dict[str, str]) -> None:
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(argv)}\n")
        handle.flush()
        completed = subprocess.run(
            argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            timeout=_BUILD_TIMEOUT_S,
            check=False,
        )
    if completed.returncode != 0:
        raise subprocess.CalledProcessError(completed.returncode, argv)


def failure_line(log_text: str) -> str:
    """The resolver's reason from uv's output, in one line (its first telling line)."""
    lines = [line.strip(" │╰─") for line in log_text.splitlines() if line.strip()]
    for pattern in _REASONS:
        for line in lines:
            match = pattern.search(line)
            if match:
                return match.group(1).strip()
    return lines[-1] if lines else "uv failed without a message"


def failed_package(reason: str, requirements: tuple[str, ...]) -> str | None:
    """Which requirement the resolver's reason names, when it names one."""
    lowered = reason.lower()
    for requirement in requirements:
        name = re.split(r"[ <>=!~;\[]", requirement, maxsplit=1)[0]
        if name and name.lower() in lowered:
            return requirement
    match = _PACKAGE.search(reason)
    return match.group(1) if match else None


def build(
    spec: Spec, interpreter: Interpreter, runtime: tuple[str, ...], key: str
) -> tuple[Path, float]:
    """Build (or find) the virtualenv of `spec` plus `runtime` on `interpreter`.

    Returns:
        The build's folder and the seconds spent building (0.0 when it was in the cache).

    Raises:
        MlopsError: uv failed: names the package, the reason and the log.
    """
    if cache.is_built(key):
        return cache.build_folder(key), 0.0
    started = time.monotonic()
    with cache.building(key) as staging:
        if staging is None:  # built by another process while this one waited for the lock
            return cache.build_folder(key), 0.0
        log = cache.log_path(key)
        logger.info("Environment %s: building with uv (log: %s)", spec.label, log)
        log.write_text(f"# {spec.label}: {json.dumps(spec.to_json())}\n", encoding="utf-8")
        env = {**os.environ, "UV_NO_PROGRESS": "1", "VIRTUAL_ENV": str(staging)}
        env.pop("UV_PYTHON", None)
        uv = uv_binary()
        requirements = sorted({*spec.requirements, *runtime})
        offset = 0  # where the output of the attempt that counts begins in the log
        try:
            _run(
                [
                    uv,
                    "venv",
                    "--quiet",
                    "--relocatable",
                    "--python",
                    interpreter.path,
                    str(staging),
                ],
                log,
                env,
            )
            if requirements or spec.options:
                options = [part for option in spec.options for part in option.split()]
                install = [uv, "pip", "install", "--python", str(staging / "bin" / "python")]
                try:
                    # uv's cache alone first: no index round trip once warm, and no network.
                    _run([*install, "--offline", *options, *requirements], log, env)
                except subprocess.CalledProcessError:
                    offset = log.stat().st_size
                    _run([*install, *options, *requirements], log, env)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            text = log.read_text(encoding="utf-8", errors="replace")[offset:]
            reason = failure_line(text) if not isinstance(error, OSError) else str(error)
            package = failed_package(reason, tuple(requirements))
            which = f" ({package})" if package else ""
            raise MlopsError(
                f"environment {spec.label}: the build failed{which}: {reason} (log: {log})"
            ) from None
        (staging / cache.SPEC_FILE).write_text(
            json.dumps(
                {**spec.to_json(), "runtime": list(runtime), "python_path": interpreter.path},
                indent=1,
            ),
            encoding="utf-8",
        )
        folder = cache.publish(staging, key)
    seconds = time.monotonic() - started
    logger.info("Environment %s: built in %.1f s at %s", spec.label, seconds, folder)
    return folder, seconds
