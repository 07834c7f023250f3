"""`az ml <kind> archive`, `restore` and `update` for every asset kind: data, environment and
component in the catalog, models in the MLflow registry.

As on Azure: an archived version is left out of `list` and of the latest version and is still
usable by its version; `update` changes a version's description and tags, nothing else.
"""

from __future__ import annotations

from mlops.assets import catalog
from mlops.assets.models import archive_model, find_model, update_model
from mlops.assets.records import Asset
from mlops.errors import UsageError
from mlops.overrides import Overrides, changed_fields, edited


def archive(kind: str, name: str, version: str | None, label: str | None, archived: bool) -> None:
    """Archive (or restore) version `version`, the version `label` names, or every version.

    Args:
        kind: data, model, environment or component.
        name: The asset's name.
        version: One version; with neither it nor `label`, every version (the container).
        label: `latest`, the only label known locally.
        archived: Archive (True) or restore (False).

    Raises:
        UsageError: Both a version and a label, or a label other than latest.
        NotFoundError: No such asset or version.
    """
    if version is not None and label is not None:
        raise UsageError(
            f"--version and --label both given for {kind} {name!r}. Fix: give one of them, or "
            "neither for every version."
        )
    if label is not None:
        if label != "latest":
            raise UsageError(
                f"label {label!r} is not supported locally; only 'latest' is. Fix: `-l latest`, "
                "or `-v VERSION`."
            )
        is_model = kind == "model"
        latest = find_model(name, None, local=False) if is_model else catalog.find(kind, name)
        version = latest.version
    if kind == "model":
        archive_model(name, version, archived)
    else:
        catalog.set_archived(kind, name, version, archived)


def update(kind: str, name: str, version: str, overrides: Overrides) -> Asset:
    """Apply az's generic update (`--set`, `--add`, `--remove`) to one version, as
    `az ml <kind> update` does: its description and tags change; the rest is fixed once
    registered (a model's stage too).

    Raises:
        NotFoundError: No such asset or version.
        UsageError: The update changes another field.
    """
    if kind == "model":
        return update_model(name, version, overrides)
    asset = catalog.find(kind, name, version)
    current = {
        "name": asset.name,
        "version": asset.version,
        "description": asset.description,
        "tags": dict(asset.tags),
    }
    document = edited(overrides, current)
    fixed = [key for key in changed_fields(current, document) if key not in {"description", "tags"}]
    if fixed:
        raise UsageError(
            f"{kind} {name}:{version}: {', '.join(fixed)} cannot change once registered; "
            "update sets description and tags (register a new version for the rest)."
        )
    tags = {str(key): str(value) for key, value in (document.get("tags") or {}).items()}
    return catalog.update(kind, name, version, document.get("description"), tags)
