"""What `show` and `list` of every asset kind share: version or label, az's list shapes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mlops.assets import catalog
from mlops.assets.models import find_model, list_models
from mlops.assets.records import Asset, listed
from mlops.errors import MlopsError, UsageError


def show(kind: str, name: str, version: str | None, label: str | None) -> Asset:
    """The asset `az ml <kind> show -n NAME (-v VERSION | -l latest)` shows.

    Raises:
        UsageError: Both or neither of version and label, or a label other than latest.
        NotFoundError: No such asset or version; the message lists the versions that exist.
    """
    if (version is None) == (label is None):
        raise UsageError(f"give exactly one of --version and --label for {kind} {name!r}.")
    if label is not None and label != "latest":
        raise MlopsError(f"label {label!r} is not supported locally; only 'latest' is.")
    if kind == "model":
        return find_model(name, version, local=False)
    return catalog.find(kind, name, version)


def list_assets(kind: str, name: str | None, archived: str = "exclude") -> list[dict[str, Any]]:
    """`az ml <kind> list`: every name with its latest version, or every version of `name`.

    Args:
        kind: data, model, environment or component.
        name: List every version of this name instead.
        archived: "exclude" (az ml's default), "include" or "only" archived versions.
    """
    if kind == "model":
        found = list_models(name, archived)
    elif name:
        every = reversed(catalog.versions(kind, name))
        found = [asset for asset in every if listed(asset.archived, archived)]
    else:
        found = catalog.latest_of_each(kind, archived)
    return [asset.to_az() for asset in found] if name else containers(found)


def containers(latest: Iterable[Asset]) -> list[dict[str, Any]]:
    """One row per name, as az ml lists asset containers."""
    return [
        {
            "creation_context": asset.to_az()["creation_context"],
            "description": asset.description,
            "latest_version": asset.version,
            "name": asset.name,
            "properties": dict(asset.properties),
            "tags": dict(asset.tags),
        }
        for asset in latest
    ]


def parse_tags(values: Iterable[str]) -> dict[str, str]:
    """az's `--tags key=value [key=value ...]` (each value may hold several, space-separated).

    Raises:
        UsageError: An item without `=`.
    """
    tags: dict[str, str] = {}
    for value in values:
        for item in value.split():
            key, separator, text = item.partition("=")
            if not separator or not key:
                raise UsageError(f"--tags: {item!r} is not key=value.")
            tags[key] = text
    return tags
