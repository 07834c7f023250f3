"""Environments: `mlops environment create|list|show`, kept as self-contained YAML copies.

Environments are not built locally (every node runs in the engine's interpreter); the store
keeps their definition so references resolve and `missing_packages` can compare them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops.assets import catalog, content
from mlops.assets.loading import load
from mlops.assets.names import check_name, check_version
from mlops.assets.records import Asset
from mlops.overrides import NO_OVERRIDES, Overrides

AREA = "assets"
SCHEMA = "https://azuremlschemas.azureedge.net/latest/environment.schema.json"
STORED_NAME = "environment.yml"


def create_environment(
    file: Path,
    *,
    name: str | None = None,
    version: str | None = None,
    updates: Overrides = NO_OVERRIDES,
) -> Asset:
    """Register an environment version from its YAML (conda file inlined, build context copied).

    Args:
        file: The environment YAML.
        name: Overrides the file's name.
        version: Overrides the file's version; the next integer when neither gives one.
        updates: az ml's `--set` items, applied to the file before the flags.

    Returns:
        The registered environment (the existing one when the same definition is registered again).

    Raises:
        MlopsError: Bad name or version; an existing version with a different definition.
        ProblemsFound: The YAML file does not load.
    """
    entity = load(file, "environment", {"name": name, "version": version}, updates)
    check_name("environment", entity.name, str(file))
    version = check_version(entity.version, str(file))
    definition: dict[str, Any] = {
        key: value
        for key, value in entity._to_dict().items()
        if key not in ("name", "version") and value not in (None, {}, [])
    }
    content.sweep(AREA, catalog.all_paths())
    with content.staged(AREA) as stage:
        build = definition.get("build") or {}
        build_path = build.get("path")
        if build_path and "://" not in str(build_path):
            context = content.local_source(Path(file).parent / build_path, f"{file}: build.path")
            definition["build"] = {**build, "path": content.copy_into(context, stage).name}
        stored = {"$schema": SCHEMA, "name": entity.name, **definition}
        text = yaml.safe_dump(stored, sort_keys=False)
        (stage / STORED_NAME).write_text(text, encoding="utf-8")
        blob = content.commit(stage)
    shown = {key: value for key, value in definition.items() if key not in ("description", "tags")}
    shown.setdefault("os_type", "linux")
    return catalog.register(
        Asset(
            kind="environment",
            name=entity.name,
            version=version or "",
            type="environment",
            path=blob / STORED_NAME,
            tags={key: str(value) for key, value in (entity.tags or {}).items()},
            description=entity.description,
            content_hash=blob.name,
            details=shown,
        )
    )
