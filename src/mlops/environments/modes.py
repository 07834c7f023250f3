"""The environment mode: `auto` (the default), `isolated` or `shared`.

`auto` runs in the engine's interpreter when it already satisfies the environment, else builds;
`isolated` always builds, as Azure ML does; `shared` never builds. The command line's
`--environment-mode` sets MLOPS_ENV_MODE for the job; the variable alone configures it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from mlops.errors import UsageError

VARIABLE = "MLOPS_ENV_MODE"
MODES = ("auto", "isolated", "shared")


def current_mode() -> str:
    """The mode MLOPS_ENV_MODE names (`auto` when unset).

    Raises:
        UsageError: Any other value.
    """
    mode = (os.environ.get(VARIABLE) or "auto").strip().lower()
    if mode not in MODES:
        raise UsageError(
            f"{VARIABLE}={mode!r} is not an environment mode. Fix: set it to one of "
            f"{', '.join(MODES)}."
        )
    return mode


@contextmanager
def mode_set_to(mode: str | None) -> Iterator[None]:
    """Run with MLOPS_ENV_MODE set to `mode` (unchanged when None), restored afterwards."""
    if mode is None:
        yield
        return
    previous = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = mode
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = previous
