"""Components: `mlops component create|list|show`, so pipelines can use `azureml:` components.

The stored copy is the component YAML with its `code` folder beside it (`code:` rewritten to
point there), so the engine loads and runs it exactly as it would the original.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops.assets import catalog, content
from mlops.assets.loading import load
from mlops.assets.names import check_name, check_version
from mlops.assets.records import Asset
from mlops.errors import MlopsError
from mlops.overrides import NO_OVERRIDES, Overrides, edited

AREA = "assets"
_SHOWN_ELSEWHERE = ("name", "version", "description", "tags", "type")


def create_component(
    file: Path,
    *,
    name: str | None = None,
    version: str | None = None,
    updates: Overrides = NO_OVERRIDES,
) -> Asset:
    """Register a component version from its YAML, with a snapshot of its code folder.

    Args:
        file: The component YAML.
        name: Overrides the file's name.
        version: Overrides the file's version; the next integer when neither gives one.
        updates: az ml's `--set` items, applied to the file before the flags.

    Returns:
        The registered component (the existing one when the same content is registered again).

    Raises:
        MlopsError: Bad name or version; an existing version with different content.
        ProblemsFound: The YAML file does not load.
    """
    entity = load(file, "component", {"name": name, "version": version}, updates)
    check_name("component", entity.name, str(file))
    version = check_version(entity.version, str(file))
    try:
        raw: dict[str, Any] = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MlopsError(f"{file}: cannot read the component: {error}") from None
    raw = edited(updates, raw)
    raw["name"] = entity.name
    raw.pop("version", None)
    content.sweep(AREA, catalog.all_paths())
    with content.staged(AREA) as stage:
        code = raw.get("code")
        if (
            isinstance(code, str)
            and not code.startswith(("azureml:", "git+"))
            and "://" not in code
        ):
            folder = content.local_source(Path(file).parent / code, f"{file}: code")
            raw["code"] = content.copy_into(folder, stage).name
        stored = stage / Path(file).name
        stored.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        blob = content.commit(stage)
    shown = entity._to_dict()
    details = {key: value for key, value in shown.items() if key not in _SHOWN_ELSEWHERE}
    if "code" in raw:
        details["code"] = (
            str(blob / raw["code"]) if (blob / str(raw["code"])).exists() else raw["code"]
        )
    return catalog.register(
        Asset(
            kind="component",
            name=entity.name,
            version=version or "",
            type=str(entity.type),
            path=blob / stored.name,
            tags={key: str(value) for key, value in (entity.tags or {}).items()},
            description=entity.description,
            content_hash=blob.name,
            details=details,
        )
    )
