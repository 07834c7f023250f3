"""Models in the MLflow model registry of the local store (or of `MLFLOW_TRACKING_URI`).

A model created here is a registered model version MLflow's UI shows; a model a pipeline step
registers through MLflow is listed and resolved here too. The files are copied into an
immutable blob under the artifact root before the version is created, so a crash leaves at
worst an unreferenced copy, which `content.sweep` moves to the trash after an hour.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from filelock import FileLock

from mlops import tracking
from mlops.assets import content, localregistry
from mlops.assets.loading import load
from mlops.assets.names import check_name, check_version
from mlops.assets.records import Asset, listed
from mlops.errors import MlopsError, NotFoundError, UsageError
from mlops.home import mlops_home
from mlops.overrides import NO_OVERRIDES, Overrides, changed_fields, edited

logger = logging.getLogger(__name__)

AREA = "mlartifacts"
MODEL_TYPES = ("custom_model", "mlflow_model", "triton_model")
# Tags under this prefix are the store's own bookkeeping; they are not shown as user tags.
HIDDEN = "mlops."
TYPE_TAG = f"{HIDDEN}type"
HASH_TAG = f"{HIDDEN}content_hash"
JOB_TAG = f"{HIDDEN}job_name"
# MLflow numbers a model's versions 1, 2, 3; Azure versions are strings (`2024-01-rc1`). A
# version created with a version that is not MLflow's next number keeps it in this tag, and
# every lookup goes through `azure_version`; a version without it is its MLflow number.
VERSION_TAG = f"{HIDDEN}azure_version"
# An archived version (az ml model archive) is left out of `list` and of @latest, and still
# resolves by its version, as on Azure.
ARCHIVED_TAG = f"{HIDDEN}archived"
# A version's stage (az ml model create --stage, `stage:` in its YAML); Azure's default.
STAGE_TAG = f"{HIDDEN}stage"
DEFAULT_STAGE = "Development"
# The experiment whose runs carry the files of models created against a shared server.
UPLOAD_EXPERIMENT = "mlops-model-uploads"


@contextlib.contextmanager
def _registry_lock() -> Iterator[None]:
    """Make check-then-create on the local SQLite registry atomic across processes.

    MLflow numbers versions safely by itself (measured: two processes creating 16 versions
    at once got 1..16 without this lock), but checking an explicit version or unchanged
    content and then creating must not interleave, with each other or with a pipeline's
    register step: all take `tracking.registry_lock_file()`. A shared server is not locked.
    """
    lock_file = tracking.registry_lock_file()
    if lock_file is None:
        yield
        return
    with FileLock(str(lock_file)):  # flock, as the register step's lock (same file, same kind)
        yield


def _local_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path))
    return None


def azure_version(version: Any) -> str:
    """The Azure version of an MLflow model version: its VERSION_TAG, else its number."""
    return str((version.tags or {}).get(VERSION_TAG) or version.version)


def _archived(version: Any) -> bool:
    return (version.tags or {}).get(ARCHIVED_TAG) == "true"


def _asset(version: Any, client: Any) -> Asset:
    """The asset of an MLflow model version (or of one read by `localregistry`, with no
    client: it carries its download URI)."""
    tags = dict(version.tags or {})
    if client is None:
        uri = version.download_uri
    else:
        try:
            uri = client.get_model_version_download_uri(version.name, version.version)
        except Exception:  # an unresolvable source still lists, with its raw location
            uri = version.source
    local = _local_path(uri)
    model_type = tags.get(TYPE_TAG) or (
        "mlflow_model" if local is not None and (local / "MLmodel").is_file() else "custom_model"
    )
    details: dict[str, Any] = {
        "stage": tags.get(STAGE_TAG) or DEFAULT_STAGE,
        "mlflow_version": str(version.version),
    }
    job_name = tags.get(JOB_TAG) or tags.get("job_name")
    if job_name:
        details["job_name"] = job_name
    created = datetime.fromtimestamp(version.creation_timestamp / 1000, UTC)
    return Asset(
        kind="model",
        name=version.name,
        version=azure_version(version),
        type=model_type,
        path=local if local is not None else Path(uri),
        tags={key: value for key, value in tags.items() if not key.startswith(HIDDEN)},
        description=version.description or None,
        created_at=created.isoformat(),
        created_by=version.user_id or "",
        content_hash=tags.get(HASH_TAG),
        details=details,
    )


def _active(versions: list[Any]) -> list[Any]:
    """The versions that are not archived (what @latest and list choose from)."""
    return [version for version in versions if not _archived(version)]


def _same_content(versions: list[Any], model_hash: str) -> bool:
    """Whether the latest version that is not archived holds `model_hash`."""
    active = _active(versions)
    return bool(active) and (active[-1].tags or {}).get(HASH_TAG) == model_hash


def _versions(client: Any, name: str) -> list[Any]:
    return sorted(
        client.search_model_versions(f"name='{name}'"), key=lambda version: int(version.version)
    )


def _check_type(source: Path, model_type: str, field: str) -> None:
    if model_type not in MODEL_TYPES:
        raise MlopsError(f"{field}: type {model_type!r} is not one of {', '.join(MODEL_TYPES)}.")
    if model_type == "mlflow_model" and not (source.is_dir() and (source / "MLmodel").is_file()):
        raise MlopsError(
            f"{field}: {source} is not an MLflow model folder (no MLmodel file). "
            "Fix: use type custom_model, or point at the folder mlflow saved."
        )


def create_model(
    file: Path | None = None,
    *,
    name: str | None = None,
    version: str | None = None,
    path: str | None = None,
    model_type: str | None = None,
    description: str | None = None,
    tags: dict[str, str] | None = None,
    updates: Overrides = NO_OVERRIDES,
    stage: str | None = None,
) -> Asset:
    """Register a model version from a YAML file and/or az ml's flags.

    Args:
        file: A model YAML (`mlops model create -f`); flags override its fields.
        name: The model name (required without a file).
        version: The version; MLflow numbers versions 1, 2, 3, so a given version must be
            an existing one (same content: returned as is) or the next one.
        path: A local file or folder, or azureml://jobs/<job>/outputs/<output>.
        model_type: custom_model (default), mlflow_model or triton_model.
        description: Free text.
        tags: Tag name -> value.
        updates: az ml's `--set` items, applied to the file before the flags.
        stage: The version's stage in its lifecycle, free text (Azure's default: Development).

    Returns:
        The registered model version.

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
            "model",
            {
                "name": name,
                "version": version,
                "path": path,
                "type": model_type,
                "description": description,
                "stage": stage,
            },
            updates,
        )
        name, version, path = entity.name, entity.version, str(entity.path)
        model_type, description, stage = entity.type, entity.description, entity.stage
        tags = {**(entity.tags or {}), **(tags or {})}
    if path is None:
        raise MlopsError(f"{where}: path: a model needs a path. Fix: set `path:` or --path.")
    check_name("model", name, f"{file}" if file else "--name")
    version = check_version(version, f"{file}" if file else "--version")
    model_type = model_type or "custom_model"
    source = content.local_source(path, f"{where}: path")
    _check_type(source, model_type, f"{where}: path")
    job_name = path.split("/")[3] if path.startswith("azureml://jobs/") else None
    client = tracking.client()
    if tracking.tracking_uri().startswith("sqlite:"):
        # Only the local registry tells which copies are referenced; a shared server may
        # hold versions registered from this machine that its own listing cannot vouch for.
        content.sweep(AREA, _all_local_sources(client))
    with content.staged(AREA) as staging:
        model_hash = content.content_hash(content.copy_into(source, staging))
        blob = content.commit(staging)
    stored_tags = {key: str(value) for key, value in (tags or {}).items()}
    stored_tags.update({TYPE_TAG: model_type, HASH_TAG: model_hash})
    if stage:
        stored_tags[STAGE_TAG] = stage
    if job_name:
        stored_tags[JOB_TAG] = job_name
    with _registry_lock():
        existing = _versions(client, name) if _exists(client, name) else []
        if version is not None:
            found = next((v for v in existing if azure_version(v) == version), None)
            if found is not None:
                if (found.tags or {}).get(HASH_TAG) == model_hash:
                    return _asset(found, client)
                raise MlopsError(
                    f"model {name} version {version} already exists with different content; "
                    "versions are immutable. Fix: leave out the version, or give a new one."
                )
            expected = str(int(existing[-1].version) + 1 if existing else 1)
            if version.isdigit() and version != expected:
                raise MlopsError(
                    f"{where}: version: MLflow's registry numbers model versions 1, 2, 3, ...; "
                    f"the next version of {name} is {expected}, not {version}. "
                    "Fix: leave out the version, give that one, or give a version that is not "
                    "a number (such as 2024-01-rc1), which is kept as the Azure version."
                )
            if version != expected:
                stored_tags[VERSION_TAG] = version
        elif _same_content(existing, model_hash):
            # Unchanged content: the latest version already holds it; no new version.
            return _asset(_active(existing)[-1], client)
        if not existing:
            _ensure_registered(client, name)
        location, run_id = _publish(client, blob / source.name, name)
        created = client.create_model_version(
            name, source=location, run_id=run_id, tags=stored_tags, description=description
        )
    return _asset(created, client)


def _publish(client: Any, stored: Path, name: str) -> tuple[str, str | None]:
    """Where the registry should find the files: the local copy, or a run's artifacts on a
    shared server (other machines cannot read this one's disk).

    Returns:
        The model version's source and the run that holds it (None for the local store).
    """
    if tracking.tracking_uri().startswith("sqlite:"):
        return str(stored), None
    run = client.create_run(
        tracking.experiment_id(UPLOAD_EXPERIMENT), tags={f"{HIDDEN}model_name": name}
    )
    if stored.is_dir():
        client.log_artifacts(run.info.run_id, str(stored), artifact_path=stored.name)
    else:
        client.log_artifact(run.info.run_id, str(stored))
    # MLflow prints the run's UI link on stdout, where only the command's JSON may go.
    with contextlib.redirect_stdout(sys.stderr):
        client.set_terminated(run.info.run_id)
    return f"{run.info.artifact_uri}/{stored.name}", run.info.run_id


def _exists(client: Any, name: str) -> bool:
    # mlflow's import costs about a second: only the commands that touch the registry pay it.
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        return False
    return True


def _ensure_registered(client: Any, name: str) -> None:
    # mlflow's import costs about a second: only the commands that touch the registry pay it.
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name)
    except MlflowException as error:
        if error.error_code != "RESOURCE_ALREADY_EXISTS":
            raise


def _all_local_sources(client: Any) -> list[Path]:
    """The local files of every model version, read page by page to the last one: a sweep
    given a partial list would set aside the files of the versions left out."""
    sources: list[Path] = []
    page_token = None
    while True:
        page = client.search_model_versions(max_results=1000, page_token=page_token)
        sources.extend(Path(v.source) for v in page if _local_path(v.source))
        page_token = page.token
        if not page_token:
            return sources


def find_model(name: str, version: str | None = None, *, local: bool = True) -> Asset:
    """Version `version` of model `name`, or its latest when None.

    Args:
        name: The registered model name.
        version: The version, or None for the latest.
        local: Download the files once when the registry is remote, so `path` is local.

    Raises:
        NotFoundError: No such model or version; the message lists the versions that exist.
    """
    tracking.check_store()  # the reads below are refused a damaged store, as MLflow's are
    versions: list[Any] | None = localregistry.model_versions(tracking.local_database(), name)
    client = None  # read without MLflow; else through it (a server, another schema, no model)
    if versions is None:
        client = tracking.client()
        if not _exists(client, name):
            raise _no_model(name)
        versions = _versions(client, name)
    chosen = (
        _active(versions)[-1:]
        if version is None
        else [v for v in versions if azure_version(v) == str(version)]
    )
    if chosen:
        asset = _asset(chosen[0], client)
        return _materialised(asset) if local else asset
    if version is None and versions:
        raise NotFoundError(
            f"every version of model {name!r} is archived, so it has no latest. "
            f"Fix: give a version, or `mlops model restore -n {name}`."
        )
    listed = ", ".join(azure_version(v) for v in versions) or "none"
    raise NotFoundError(
        f"model {name!r} has no version {version!r}; versions that exist: {listed}."
    )


def _no_model(name: str) -> NotFoundError:
    return NotFoundError(
        f"model {name!r} does not exist in the MLflow registry at {tracking.tracking_uri()}. "
        "Fix: register it with `mlops model create` or run the training pipeline."
    )


def _materialised(asset: Asset) -> Asset:
    """The asset with a local `path`, downloading it once when the registry is remote.

    Raises:
        MlopsError: The local registry's version points at files that are gone.
    """
    if asset.path.exists():
        return asset
    if tracking.local_database() is not None:
        raise MlopsError(_missing_files(asset))
    cache = mlops_home() / "model-cache" / asset.name / asset.version
    if not cache.exists():
        # mlflow's import costs about a second: only the commands that touch the registry pay it.
        import mlflow.artifacts

        cache.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache.parent))
        uri = tracking.client().get_model_version_download_uri(
            asset.name, asset.details["mlflow_version"]
        )
        mlflow.artifacts.download_artifacts(
            artifact_uri=uri, dst_path=str(staging), tracking_uri=tracking.tracking_uri()
        )
        try:
            staging.rename(cache)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    entries = list(cache.iterdir())
    local = entries[0] if len(entries) == 1 else cache
    return dataclasses.replace(asset, path=local)


def _missing_files(asset: Asset) -> str:
    """What to say when a version's files are gone, and where the trash may hold them."""
    where = f"model {asset.name} version {asset.version}: its files {asset.path} are missing"
    blobs = content.blob_root(AREA)
    if content.inside(asset.path, blobs):
        blob = asset.path.relative_to(blobs).parts[0]
        kept = content.trash_root(AREA) / blob
        if kept.exists():
            return f"{where}. Fix: they are in the trash; restore them with `mv {kept} {blobs}/`."
    return (
        f"{where} (deleted outside mlops?). Fix: restore them from a backup, or register the "
        f"model again (`mlops model create -n {asset.name} -p <folder>`) and use the new version."
    )


def list_models(name: str | None = None, archived: str = "exclude") -> list[Asset]:
    """The latest version of every registered model, or every version of `name`, newest first.

    Args:
        name: List every version of this model instead.
        archived: "exclude" (az ml's default), "include" or "only" archived versions.
    """
    tracking.check_store()  # the reads below are refused a damaged store, as MLflow's are
    registry = localregistry.registered_models(tracking.local_database())
    if registry is None:  # a server or a schema not known here: MLflow answers
        return _list_through_mlflow(name, archived)
    if name:
        return [
            _asset(v, None)
            for v in reversed(registry.get(name, []))
            if listed(_archived(v), archived)
        ]
    latest = []
    for versions in registry.values():
        kept = [v for v in versions if listed(_archived(v), archived)]
        if kept:
            latest.append(_asset(kept[-1], None))
    return sorted(latest, key=lambda asset: asset.name)


def _list_through_mlflow(name: str | None, archived: str) -> list[Asset]:
    """`list_models` through MLflow's client."""
    client = tracking.client()

    if name:
        if not _exists(client, name):
            return []
        return [
            _asset(v, client)
            for v in reversed(_versions(client, name))
            if listed(_archived(v), archived)
        ]
    latest = []
    page_token = None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=page_token)
        for registered in page:
            versions = [
                v for v in _versions(client, registered.name) if listed(_archived(v), archived)
            ]
            if versions:
                latest.append(_asset(versions[-1], client))
        page_token = page.token
        if not page_token:
            break
    return sorted(latest, key=lambda asset: asset.name)


def archive_model(name: str, version: str | None, archived: bool = True) -> list[Asset]:
    """Archive (or restore) one version of a model, or all its versions, as az ml model
    archive/restore do.

    Args:
        name: The model.
        version: Its Azure version; None for every version (the model container).
        archived: Archive (True) or restore (False).

    Returns:
        The versions changed.

    Raises:
        NotFoundError: No such model or version.
    """
    client = tracking.client()
    if version is None:
        if not _exists(client, name):
            raise _no_model(name)
        targets = _versions(client, name)
    else:
        asset = find_model(name, version, local=False)
        targets = [client.get_model_version(name, asset.details["mlflow_version"])]
    for target in targets:
        if archived:
            client.set_model_version_tag(name, target.version, ARCHIVED_TAG, "true")
        elif _archived(target):
            client.delete_model_version_tag(name, target.version, ARCHIVED_TAG)
    return [_asset(client.get_model_version(name, t.version), client) for t in targets]


def update_model(name: str, version: str, overrides: Overrides) -> Asset:
    """Apply az's generic update to a model version, as `az ml model update --set`: its
    `description`, `tags` and `stage` change; every other field is fixed once registered, as
    on Azure.

    Raises:
        NotFoundError: No such model or version.
        UsageError: The update changes another field.
    """
    asset = find_model(name, version, local=False)
    current = {
        "name": asset.name,
        "version": asset.version,
        "type": asset.type,
        "description": asset.description,
        "tags": dict(asset.tags),
        "stage": asset.details["stage"],
    }
    document = edited(overrides, current)
    changed = changed_fields(current, document)
    fixed = [key for key in changed if key not in {"description", "tags", "stage"}]
    if fixed:
        raise UsageError(
            f"model {name}:{version}: {', '.join(fixed)} cannot change once registered; "
            "update sets description, tags and stage (register a new version for the rest)."
        )
    client = tracking.client()
    number = asset.details["mlflow_version"]
    if "description" in changed:
        client.update_model_version(name, number, description=document.get("description") or "")
    if "stage" in changed:
        client.set_model_version_tag(name, number, STAGE_TAG, str(document.get("stage") or ""))
    tags = {str(key): str(value) for key, value in (document.get("tags") or {}).items()}
    for key in set(asset.tags) - set(tags):
        client.delete_model_version_tag(name, number, key)
    for key, value in tags.items():
        if asset.tags.get(key) != value:
            client.set_model_version_tag(name, number, key, value)
    return _asset(client.get_model_version(name, number), client)


def download_model(name: str, version: str, download_path: Path) -> Path:
    """Copy a model version to `<download_path>/<name>/`, as az ml model download does.

    Returns:
        The folder the files were written to.
    """
    asset = find_model(name, version)
    target = Path(download_path) / name
    target.mkdir(parents=True, exist_ok=True)
    destination = target / asset.path.name
    if asset.path.is_dir():
        shutil.copytree(asset.path, destination, dirs_exist_ok=True)
    else:
        shutil.copy2(asset.path, destination)
    for file in [destination, *destination.rglob("*")] if destination.is_dir() else [destination]:
        if file.is_file():
            file.chmod(0o644)
    logger.info("Downloaded model %s version %s to %s", name, version, destination)
    return target
