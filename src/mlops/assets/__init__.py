"""The local asset store: data assets, models, environments and components, by `azureml:` reference.

`resolve_*` take `azureml:name:version` or `azureml:name@latest` and return an `Asset` with a
local `path`; an unknown reference raises NotFoundError listing the versions that exist.
"""

from __future__ import annotations

from typing import Any

from mlops.assets import catalog
from mlops.assets.models import find_model
from mlops.assets.records import Asset
from mlops.assets.references import parse

__all__ = [
    "Asset",
    "missing_packages",
    "resolve_component",
    "resolve_data",
    "resolve_environment",
    "resolve_model",
]


def missing_packages(environment: Any) -> list[str]:
    """The pip and conda packages an azure-ai-ml Environment lists that this interpreter lacks.

    See `mlops.assets.packages.missing_packages`; imported on use, as `packaging` costs 50 ms.
    """
    # Deferred: packaging's import (10-50 ms) would be paid by every command that reads the
    # asset store or an endpoint's state (`online-endpoint show`), none of which needs it.
    from mlops.assets.packages import missing_packages as missing

    return missing(environment)


def resolve_data(reference: str) -> Asset:
    """The data asset version `reference` names (`path`: the stored file or folder).

    Raises:
        NotFoundError: No such asset or version.
        MlopsError: Not a reference, or one the local store cannot reach (a registry).
    """
    parsed = parse(reference, "data")
    return catalog.find("data", parsed.name, parsed.version)


def resolve_environment(reference: str) -> Asset:
    """The environment version `reference` names (`path`: its stored YAML)."""
    parsed = parse(reference, "environment")
    return catalog.find("environment", parsed.name, parsed.version)


def resolve_component(reference: str) -> Asset:
    """The component version `reference` names (`path`: its stored YAML, code beside it)."""
    parsed = parse(reference, "component")
    return catalog.find("component", parsed.name, parsed.version)


def resolve_model(reference: str) -> Asset:
    """The registered model version `reference` names (`path`: its local file or folder)."""
    parsed = parse(reference, "model")
    return find_model(parsed.name, parsed.version)
