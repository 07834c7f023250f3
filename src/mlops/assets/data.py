"""Data assets: `mlops data create|list|show`, stored as immutable copies with a content hash."""

from __future__ import annotations

from pathlib import Path

from mlops.assets import catalog, content
from mlops.assets.loading import load
from mlops.assets.names import check_name, check_version
from mlops.assets.records import Asset
from mlops.errors import MlopsError
from mlops.overrides import NO_OVERRIDES, Overrides

AREA = "assets"
DATA_TYPES = ("uri_file", "uri_folder", "mltable")


def _check_shape(source: Path, data_type: str, field: str, skip_validation: bool) -> None:
    if data_type not in DATA_TYPES:
        raise MlopsError(f"{field}: type {data_type!r} is not one of {', '.join(DATA_TYPES)}.")
    if data_type == "uri_file" and not source.is_file():
        raise MlopsError(
            f"{field}: {source} is a folder but the type is uri_file. Fix: use type uri_folder."
        )
    if data_type in ("uri_folder", "mltable") and not source.is_dir():
        raise MlopsError(
            f"{field}: {source} is a file but the type is {data_type}. Fix: use type uri_file."
        )
    if data_type == "mltable" and not skip_validation and not (source / "MLTable").is_file():
        raise MlopsError(
            f"{field}: {source} has no MLTable file. Fix: add one, or use type uri_folder."
        )


def create_data(
    file: Path | None = None,
    *,
    name: str | None = None,
    version: str | None = None,
    path: str | None = None,
    data_type: str | None = None,
    description: str | None = None,
    tags: dict[str, str] | None = None,
    updates: Overrides = NO_OVERRIDES,
    skip_validation: bool = False,
) -> Asset:
    """Register a data asset version from a YAML file and/or az ml's flags.

    Args:
        file: A data asset YAML (`mlops data create -f`); flags override its fields.
        name: The asset name (required without a file).
        version: The version; the next integer when None.
        path: A local file or folder, or azureml://jobs/<job>/outputs/<output>.
        data_type: uri_folder (default), uri_file or mltable.
        description: Free text.
        tags: Tag name -> value.
        updates: az ml's `--set` items, applied to the file before the flags.
        skip_validation: Do not check that an mltable folder holds an MLTable file
            (az ml's `--skip-validation` skips its MLTable metadata check).

    Returns:
        The registered asset (the existing one when the same content is registered again).

    Raises:
        MlopsError: Bad name, version, type or path; an existing version with other content.
        ProblemsFound: The YAML file does not load.
    """
    if path is not None and "://" not in path:
        path = str(Path(path).expanduser().resolve())
    where = str(file) if file else "--path"
    if file is not None:
        entity = load(
            file,
            "data",
            {
                "name": name,
                "version": version,
                "path": path,
                "type": data_type,
                "description": description,
            },
            updates,
        )
        name, version, path = entity.name, entity.version, str(entity.path)
        data_type, description = entity.type, entity.description
        tags = {**(entity.tags or {}), **(tags or {})}
    if path is None:
        raise MlopsError(f"{where}: path: a data asset needs a path. Fix: set `path:` or --path.")
    check_name("data", name, f"{file}" if file else "--name")
    version = check_version(version, f"{file}" if file else "--version")
    data_type = data_type or "uri_folder"
    source = content.local_source(path, f"{where}: path")
    _check_shape(source, data_type, f"{where}: path", skip_validation)
    content.sweep(AREA, catalog.all_paths())
    with content.staged(AREA) as stage:
        data_hash = content.content_hash(content.copy_into(source, stage))
        blob = content.commit(stage)
    return catalog.register(
        Asset(
            kind="data",
            name=name,
            version=version or "",
            type=data_type,
            path=blob / source.name,
            tags={key: str(value) for key, value in (tags or {}).items()},
            description=description,
            content_hash=data_hash,
        )
    )
