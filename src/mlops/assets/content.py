"""Immutable, content-addressed copies of asset files under the local store.

A registration first copies the files into a private staging folder, hashes them, and renames
the folder to `blobs/<hash>` in one step; only then is the catalog (or MLflow) row written. A
crash before the rename leaves a staging folder, after it an unreferenced blob: `sweep` deletes
the one and moves the other to `<home>/trash/<area>/` once they are an hour old (a blob is reused
meanwhile by the same content). Nothing in the trash is deleted by this tool.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from mlops.azure.files import content_hash, upload_files
from mlops.errors import MlopsError
from mlops.home import mlops_home
from mlops.jobstore import output_path

logger = logging.getLogger(__name__)

_JOB_OUTPUT = re.compile(r"^azureml://jobs/(?P<job>[^/]+)/outputs/(?P<output>[^/]+)/?$")
_REMOTE = re.compile(r"^(azureml|https?|wasbs?|abfss?|adl|s3|gs)://", re.IGNORECASE)
STAGE_PREFIX = ".stage-"
STALE_SECONDS = 3600
TRASH = "trash"


def blob_root(area: str) -> Path:
    """The folder holding the content copies of one area ("assets" or the model artifacts)."""
    root = mlops_home() / area / "blobs"
    root.mkdir(parents=True, exist_ok=True)
    return root


def local_source(path: str | os.PathLike[str], field: str) -> Path:
    """The local file or folder an asset's `path` names.

    Args:
        path: A local path, a `file:` URI, or `azureml://jobs/<job>/outputs/<output>`.
        field: Where the path was given (a file and field, or a flag), for messages.

    Returns:
        The existing local path.

    Raises:
        MlopsError: The path does not exist, or is a cloud URI that cannot be read offline.
        NotFoundError: The job or its output does not exist.
    """
    text = str(path)
    job_output = _JOB_OUTPUT.match(text)
    if job_output:
        return output_path(job_output["job"], job_output["output"])
    if text.startswith("file:"):
        text = text.removeprefix("file://").removeprefix("file:")
    elif _REMOTE.match(text):
        raise MlopsError(
            f"{field}: {text} is a cloud location the local store cannot read offline. "
            "Fix: give a local file or folder, or azureml://jobs/<job>/outputs/<output>."
        )
    source = Path(text).expanduser()
    if not source.exists():
        raise MlopsError(f"{field}: {source} does not exist. Fix: give an existing file or folder.")
    return source.resolve()


@contextlib.contextmanager
def staged(area: str) -> Iterator[Path]:
    """A fresh private staging folder inside `area`'s blob root, to fill then `commit`.

    Removed when filling it fails or is interrupted, so only a killed process leaves one.
    """
    stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=blob_root(area)))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def copy_into(source: Path, stage: Path) -> Path:
    """Copy `source` into `stage` under its own name, skipping what .amlignore/.gitignore skip.

    Returns:
        The copy's path inside the stage.
    """
    destination = stage / source.name
    if source.is_file():
        shutil.copy2(source, destination)
        return destination
    destination.mkdir()
    for absolute, relative in upload_files(source):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(absolute, target)
    return destination


def commit(stage: Path) -> Path:
    """Make a filled stage immutable and move it to `blobs/<hash>` in one rename.

    Returns:
        The blob folder; an existing blob with the same content is reused and the stage dropped.
    """
    blob = stage.parent / content_hash(stage)
    for file in stage.rglob("*"):
        if file.is_file():
            file.chmod(file.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        stage.rename(blob)
    except OSError:
        if not blob.is_dir():
            raise
        shutil.rmtree(stage)
        # The same content is already stored; touching it keeps `sweep` off it for an hour.
        os.utime(blob)
    return blob


def trash_root(area: str) -> Path:
    """Where `sweep` moves the unreferenced copies of `area`, to be restored or removed by hand."""
    return mlops_home() / TRASH / area


def sweep(area: str, referenced: Iterable[Path]) -> list[Path]:
    """Set aside the blobs of `area` that no asset references, and drop stale staging folders,
    if an hour old.

    Blobs are moved to `trash_root(area)`, not deleted: a registry read wrongly (restored from
    an older backup, say) must not cost the files of the versions it forgot. Moving one back
    under `blobs/` restores it. Staging folders are partial copies no version can reference;
    they are deleted. The age guard keeps a concurrent registration's blob, copied but not yet
    recorded. Call it only with the references of a store read whole.

    Args:
        area: The blob area.
        referenced: Every path a registered asset points at (a blob or a file inside one).

    Returns:
        The blobs moved to the trash and the staging folders removed.
    """
    root = blob_root(area)
    keep = {
        root / Path(path).relative_to(root).parts[0] for path in referenced if inside(path, root)
    }
    removed = []
    cutoff = time.time() - STALE_SECONDS
    for entry in root.iterdir():
        if entry in keep or entry.stat().st_mtime > cutoff:
            continue
        if entry.name.startswith(STAGE_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)
        else:
            _set_aside(entry, trash_root(area))
        removed.append(entry)
    return removed


def _set_aside(blob: Path, trash: Path) -> None:
    trash.mkdir(parents=True, exist_ok=True)
    target = trash / blob.name
    if target.exists():
        # Named by its content hash: the trash already holds these very files.
        shutil.rmtree(blob, ignore_errors=True)
        return
    blob.rename(target)
    logger.info("moved the unreferenced copy %s to %s", blob, target)


def inside(path: Path, root: Path) -> bool:
    """Whether `path` lies strictly inside `root`."""
    try:
        return Path(path).relative_to(root) != Path(".")
    except ValueError:
        return False
