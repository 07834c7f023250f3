"""One line for a failure that is not an `MlopsError`: what failed, where, and what to do.

Library code raises `MlopsError` for what it foresees; this turns what reaches the command line
otherwise (a read-only folder, a full disk, a store another program locked, a bug) into a line
a user can act on. `mlops --debug ...` shows the traceback instead.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

_DEBUG_HINT = "run it again with --debug for the details, and report them if it persists"


def describe(error: BaseException) -> str:
    """The one line the CLI prints for `error` (without the "ERROR: " prefix)."""
    if isinstance(error, OSError):
        return _os_error(error)
    text = _first_line(str(error))
    if "readonly database" in text or "read-only" in text.lower():
        return f"the local store under {_home()} is read-only ({text}). Fix: {_writable()}."
    if "database is locked" in text:
        return (
            f"the local store under {_home()} is locked by another process ({text}). "
            "Fix: wait for the other mlops command to finish, then run this one again."
        )
    return f"{type(error).__name__}: {text or 'no message'}. Fix: {_DEBUG_HINT}."


def _os_error(error: OSError) -> str:
    where = error.filename or "a file"
    reason = error.strerror or str(error)
    if error.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        return f"cannot write {where}: {reason}. Fix: {_writable_for(where)}."
    if error.errno == errno.ENOSPC:
        return f"no space left to write {where}. Fix: free some disk space, then run it again."
    return f"{where}: {reason}. Fix: check that path, or {_DEBUG_HINT}."


def _home() -> str:
    configured = os.environ.get("MLOPS_HOME")
    return configured if configured else ".mlops"


def _writable() -> str:
    return (
        f"make {_home()} writable (it holds the jobs, models and endpoints), or set MLOPS_HOME "
        "to a folder you can write"
    )


def _writable_for(where: object) -> str:
    home = Path(_home()).expanduser().resolve()
    try:
        Path(str(where)).resolve().relative_to(home)
    except ValueError:
        return "check its permissions, or give a path you can write"
    return _writable()


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""
