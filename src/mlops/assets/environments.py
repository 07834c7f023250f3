"""Environments: `mlops environment create|list|show`, kept as self-contained YAML copies.

Environments are not built locally (every node runs in the engine's interpreter); the store
keeps their definition so references resolve and `missing_packages` can compare them.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlops.assets import catalog, content
from mlops.assets.loading import load
from mlops.assets.names import check_name, check_version
from mlops.assets.records import Asset
from mlops.errors import UsageError
from mlops.overrides import NO_OVERRIDES, Overrides

AREA = "assets"
SCHEMA = "https://azuremlschemas.azureedge.net/latest/environment.schema.json"
STORED_NAME = "environment.yml"


@dataclass(frozen=True)
class EnvironmentFlags:
    """az ml environment create's definition flags; each overrides the YAML's field.

    Attributes:
        image: The Docker image (`image:`).
        conda_file: A conda YAML file, relative to the working folder (`conda_file:`).
        build_context: A Docker build context folder, relative to the working folder
            (`build.path`).
        dockerfile_path: The Dockerfile inside the build context (`build.dockerfile_path`).
        description: `description:`.
        tags: `tags:`.
        os_type: linux or windows (`os_type:`).
    """

    image: str | None = None
    conda_file: str | None = None
    build_context: str | None = None
    dockerfile_path: str | None = None
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    os_type: str | None = None

    def overrides(self) -> dict[str, Any]:
        """The fields to set, as `load` takes them (paths made absolute, as az ml resolves
        them against the working folder)."""
        return {
            "image": self.image,
            "conda_file": _absolute(self.conda_file),
            "build.path": _absolute(self.build_context),
            "build.dockerfile_path": self.dockerfile_path,
            "description": self.description,
            "tags": dict(self.tags) or None,
            "os_type": self.os_type,
        }


NO_FLAGS = EnvironmentFlags()


def _absolute(path: str | None) -> str | None:
    if path is None or "://" in path:
        return path
    return str(Path(path).expanduser().resolve())


def create_environment(
    file: Path | None,
    *,
    name: str | None = None,
    version: str | None = None,
    flags: EnvironmentFlags = NO_FLAGS,
    updates: Overrides = NO_OVERRIDES,
) -> Asset:
    """Register an environment version from its YAML and/or az ml's flags (conda file inlined,
    build context copied).

    Args:
        file: The environment YAML, or None to define it by the flags alone, as
            `az ml environment create --name N --image I [--conda-file F]` does.
        name: Overrides the file's name (required without a file).
        version: Overrides the file's version; the next integer when neither gives one.
        flags: The definition flags (`--image`, `--conda-file`, `--build-context`, ...).
        updates: az ml's `--set` items, applied to the file before the flags.

    Returns:
        The registered environment (the existing one when the same definition is registered again).

    Raises:
        UsageError: No file, and no name or neither an image nor a build context.
        MlopsError: Bad name or version; an existing version with a different definition.
        ProblemsFound: The YAML file (or what the flags define) does not load.
    """
    with _definition(file, name, flags) as source:
        entity = load(
            source, "environment", {"name": name, "version": version, **flags.overrides()}, updates
        )
        return _register(entity, source, str(file) if file else "--name")


@contextlib.contextmanager
def _definition(file: Path | None, name: str | None, flags: EnvironmentFlags) -> Iterator[Path]:
    """The YAML to load: `file`, or one holding only the name when the flags define it all."""
    paths = (("--conda-file", flags.conda_file), ("--build-context", flags.build_context))
    for flag, path in paths:
        if path is not None and "://" not in path and not Path(path).expanduser().exists():
            raise UsageError(f"{flag} {path}: no such file or folder (in {Path.cwd()}).")
    if file is not None:
        yield Path(file)
        return
    if not name or not (flags.image or flags.build_context):
        raise UsageError(
            "give -f/--file, or --name with --image (and optionally --conda-file) or "
            "--build-context, as az ml environment create takes them."
        )
    with tempfile.TemporaryDirectory(prefix="mlops-environment-") as folder:
        source = Path(folder) / STORED_NAME
        source.write_text(yaml.safe_dump({"$schema": SCHEMA, "name": name}), encoding="utf-8")
        yield source


def _register(entity: Any, file: Path, where: str) -> Asset:
    check_name("environment", entity.name, where)
    version = check_version(entity.version, where)
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
            context = content.local_source(Path(file).parent / build_path, f"{where}: build.path")
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
