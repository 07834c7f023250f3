"""The content key of a build: what it holds, not what it is called."""

from __future__ import annotations

import hashlib
import json

from mlops.environments.interpreters import Interpreter
from mlops.environments.spec import Spec

# Bumped when the layout of a build changes, so older builds are not reused.
_LAYOUT = 1


def build_key(spec: Spec, interpreter: Interpreter, runtime: tuple[str, ...]) -> str:
    """The key of the virtualenv for `spec` plus `runtime` on `interpreter`.

    Two environments with other names but the same packages share one build; the order in
    which packages are listed does not matter, the interpreter's version does.
    """
    material = {
        "layout": _LAYOUT,
        "python": interpreter.version,
        "interpreter": interpreter.path,
        "requirements": sorted({*spec.requirements, *runtime}),
        "options": list(spec.options),
    }
    text = json.dumps(material, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
