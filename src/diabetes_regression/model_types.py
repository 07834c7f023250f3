"""Which types a saved model may hold: the audit behind the skops format MLflow saves it in.

MLflow saves a scikit-learn model as `model.skops`, and skops loads only the types it trusts by
default (plain estimators, numpy arrays) or that the MLmodel file lists as trusted. Trees,
forests, boosting models and some pipelines hold compiled types skops does not trust by default
(`sklearn.tree._tree.Tree`), so this module lists the types of the model the step has just
trained, and accepts them only when they come from the libraries the scoring environment
already runs. The list is recorded in the model's MLmodel file beside the model, and every
loader checks it again before loading (check_saved_model): MLflow trusts whatever list the
MLmodel file holds, so a model saved by anything but train_model could list any type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# BYOC: the top-level modules whose types a saved model may hold (add a library you trust,
# e.g. "lightgbm", only after reading the security note in docs/bring_your_own_code.md).
TRUSTED_MODULES: tuple[str, ...] = ("sklearn", "numpy", "scipy")


class UntrustedModelTypes(ValueError):
    """The model holds a type from a module outside TRUSTED_MODULES."""


def trusted_types(model: Any) -> list[str]:
    """The types of `model` that skops does not trust by default, once audited.

    Args:
        model: A fitted scikit-learn estimator (or pipeline).

    Returns:
        The fully qualified type names to record as trusted, sorted; empty for a model skops
        trusts as it is.

    Raises:
        UntrustedModelTypes: A type comes from a module outside TRUSTED_MODULES; the message
            names it and says what to do.
    """
    import skops.io

    found = sorted(skops.io.get_untrusted_types(data=skops.io.dumps(model)))
    refused = _outside(found)
    if refused:
        raise UntrustedModelTypes(
            f"the model holds types from outside {', '.join(TRUSTED_MODULES)}: "
            f"{', '.join(refused)}. Build it from library classes only (a function in a "
            "FunctionTransformer counts as a type), or add the module to TRUSTED_MODULES in "
            "model_types.py if you trust every model trained with it."
        )
    return found


def check_saved_model(folder: Path) -> None:
    """Refuse to load a scikit-learn MLflow model that trusts more than train_model would.

    Args:
        folder: An MLflow model folder (with its MLmodel file).

    Raises:
        UntrustedModelTypes: The model is saved as a pickle (loading one runs any code it
            names), or its MLmodel file trusts types from outside TRUSTED_MODULES.
    """
    import yaml

    document = yaml.safe_load((folder / "MLmodel").read_text()) or {}
    flavor = (document.get("flavors") or {}).get("sklearn")
    if flavor is None:
        return  # another MLflow flavor: its own loader's rules apply
    if flavor.get("serialization_format", "pickle") != "skops":
        raise UntrustedModelTypes(
            f"{folder}: the model is saved as a {flavor.get('serialization_format', 'pickle')}, "
            "which can run any code when loaded; train_model saves skops. Refusing to load it."
        )
    refused = _outside(flavor.get("skops_trusted_types") or [])
    if refused:
        raise UntrustedModelTypes(
            f"{folder}: the model trusts types from outside {', '.join(TRUSTED_MODULES)}: "
            f"{', '.join(refused)}; train_model did not save it so. Refusing to load it."
        )


def _outside(type_names: list[str]) -> list[str]:
    return [name for name in type_names if name.split(".", 1)[0] not in TRUSTED_MODULES]
