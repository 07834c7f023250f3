"""`az ml job archive`, `restore` and `update` for local jobs.

As on Azure: an archived job is left out of `job list` (unless asked for) and is still shown,
downloaded and used as an input by name; only a job that has ended can be archived; `update`
changes a job's description, display name, tags and properties, nothing else.
"""

from __future__ import annotations

from typing import Any

from mlops import jobstore as store
from mlops.engine.status import LIVE_STATUSES, with_live_status
from mlops.errors import MlopsError, UsageError
from mlops.overrides import Overrides, changed_fields, edited


def archive_job(name: str, archived: bool) -> None:
    """Archive (or restore) job `name`.

    Raises:
        NotFoundError: No such job.
        MlopsError: Archiving a job that has not ended.
    """
    with store.updating(name):
        _archive(name, archived)


def _archive(name: str, archived: bool) -> None:
    record = with_live_status(store.load(name))
    if archived and record.get("status") in LIVE_STATUSES:
        raise MlopsError(
            f"job {name} is {record['status']}: only a job that has ended can be archived, as "
            f"on Azure. Fix: wait for it (`mlops job stream -n {name}`) or cancel it."
        )
    store.save_updates(name, {"archived": archived})


def update_job(name: str, overrides: Overrides) -> dict[str, Any]:
    """Apply az's generic update (`--set`, `--add`, `--remove`) to job `name`, as
    `az ml job update` does.

    Returns:
        The job as `job show` prints it.

    Raises:
        NotFoundError: No such job.
        UsageError: The update changes another field, or removes a property.
    """
    with store.updating(name):
        _update(name, overrides)
    return with_live_status(store.load(name))


def _update(name: str, overrides: Overrides) -> None:
    record = with_live_status(store.load(name))
    current = {key: record.get(key) for key in ("name", "type", "status", *store.UPDATABLE)}
    document = edited(overrides, current)
    changed = changed_fields(current, document)
    fixed = [key for key in changed if key not in store.UPDATABLE]
    if fixed:
        raise UsageError(
            f"job {name}: {', '.join(fixed)} cannot change once a job is created; update sets "
            f"{', '.join(store.UPDATABLE)}, as on Azure."
        )
    gone = set(current.get("properties") or {}) - set(document.get("properties") or {})
    if gone:
        raise UsageError(
            f"job {name}: properties can be added or changed, not removed "
            f"({', '.join(sorted(gone))})."
        )
    values = {key: document.get(key) for key in changed}
    if "tags" in values:
        values["tags"] = {str(k): str(v) for k, v in (values["tags"] or {}).items()}
    if "properties" in values:
        # Only the user's properties are kept apart; the engine's stay in its record.
        before = current.get("properties") or {}
        added = {k: v for k, v in values["properties"].items() if before.get(k) != v}
        values["properties"] = {**store.updates(name).get("properties", {}), **added}
    store.save_updates(name, values)
