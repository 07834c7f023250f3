"""azure-ai-ml's package entered without its client.

`import azure.ai.ml.<anything>` first runs `azure/ai/ml/__init__.py`, which imports `MLClient`
and every operations class with their REST clients: measured, 1.4 s of the 2.5 s of CPU that
`import azure.ai.ml` costs here, none of it needed to load and check a YAML. `enter()` puts the
package in `sys.modules` without running that file; its submodules (the loaders, entities and
schemas) import as usual. The first time anything asks the package itself for a name (azure-ai-ml
does, `from azure.ai.ml import Input`, in a few loaders), the real `__init__` runs then, once, in
the same module, so every name is there as after a plain import. tests/mlops/azure checks both.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

PACKAGE = "azure.ai.ml"


def enter() -> None:
    """Make `azure.ai.ml` importable without its `__init__`; nothing when it is imported already."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None:
        return  # not installed: the import that follows says so as usual
    package = importlib.util.module_from_spec(spec)

    def complete(name: str) -> Any:
        del package.__dict__["__getattr__"]
        spec.loader.exec_module(package)
        return getattr(package, name)

    package.__dict__["__getattr__"] = complete
    sys.modules[PACKAGE] = package
    # The first line of the package's own __init__: it sets the order azure-ai-ml's circular
    # imports need, and gives the two names its loaders ask the package for.
    inputs_outputs = importlib.import_module(f"{PACKAGE}.entities._inputs_outputs")
    package.Input, package.Output = inputs_outputs.Input, inputs_outputs.Output
