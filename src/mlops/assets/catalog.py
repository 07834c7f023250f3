"""The SQLite catalog of data assets, environments and components under the local store.

Every write runs in a `BEGIN IMMEDIATE` transaction, so two processes registering the same
name at once are serialised: each sees the other's version before choosing its own.

An archived version (`az ml data archive`) is left out of `list` and of the latest version, and
still found by its version, as on Azure. Catalogs written before the `archived` column existed
are read as they are (nothing archived) and gain the column at their next write.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlops import storecheck
from mlops.assets.names import next_version
from mlops.assets.records import Asset, listed
from mlops.errors import MlopsError, NotFoundError
from mlops.home import mlops_home

CATALOG_NAME = "assets.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    type TEXT NOT NULL,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    description TEXT,
    tags TEXT NOT NULL,
    properties TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, name, version)
)
"""


# The columns of the first catalogs, and those of today's (`archived` added).
_FIRST_COLUMNS = {
    "seq", "kind", "name", "version", "type", "path", "content_hash", "description", "tags",
    "properties", "details", "created_at", "created_by",
}  # fmt: skip
_COLUMNS = _FIRST_COLUMNS | {"archived"}


def _catalog_schema(connection: sqlite3.Connection, path: Path) -> None:
    """Accept a catalog with the `assets` table, or one with no table yet (a first
    registration rolled back); refuse anything else rather than add a table to it."""
    names = storecheck.tables(connection)
    if not names:
        return
    columns = {row[1] for row in connection.execute("PRAGMA table_info(assets)")}
    if columns not in (_COLUMNS, _FIRST_COLUMNS):
        raise storecheck.DamagedStore(
            f"{path} is an SQLite database but not this tool's asset catalog (tables: "
            f"{', '.join(sorted(names))}); it was left as it is. Fix: restore it from a backup, "
            "or move it aside to start an empty catalog."
        )


def check_catalog() -> None:
    """Refuse a catalog file that is empty, damaged or not this tool's (see `storecheck`).

    Raises:
        DamagedStore: The catalog is not whole; it is left untouched.
    """
    storecheck.check_database(mlops_home() / CATALOG_NAME, schema=_catalog_schema)


def _create_if_missing(database: Path) -> None:
    """Create the catalog whole, in a temporary file linked into place: SQLite would leave a
    0-byte file for a moment, which another process must not find (it would refuse it)."""
    if database.exists():
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=database.parent, prefix=f".{database.name}.")
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        with connection:
            connection.execute(_SCHEMA)
        connection.close()
        with contextlib.suppress(FileExistsError):
            os.link(temporary, database)
    finally:
        Path(temporary).unlink(missing_ok=True)


@contextlib.contextmanager
def _transaction() -> Iterator[sqlite3.Connection]:
    _create_if_missing(mlops_home() / CATALOG_NAME)
    check_catalog()
    connection = sqlite3.connect(mlops_home() / CATALOG_NAME, timeout=60, isolation_level=None)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(_SCHEMA)
        _add_archived_column(connection)
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def _add_archived_column(connection: sqlite3.Connection) -> None:
    """Give a catalog written before `archived` existed that column (nothing archived)."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(assets)")}
    if "archived" not in columns:
        connection.execute("ALTER TABLE assets ADD COLUMN archived INTEGER NOT NULL DEFAULT 0")


def _asset(row: sqlite3.Row) -> Asset:
    return Asset(
        kind=row["kind"],
        name=row["name"],
        version=row["version"],
        type=row["type"],
        path=Path(row["path"]),
        tags=json.loads(row["tags"]),
        description=row["description"],
        properties=json.loads(row["properties"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        content_hash=row["content_hash"],
        details=json.loads(row["details"]),
        # `in row` would test a Row's values: its keys say whether the column exists.
        archived="archived" in row.keys() and bool(row["archived"]),  # noqa: SIM118
    )


def register(asset: Asset) -> Asset:
    """Record `asset`; its version is the next integer when empty.

    Args:
        asset: The asset to record, with its content already stored at `asset.path`.

    Returns:
        The recorded asset, or the existing one when that name and version hold the same content.

    Raises:
        MlopsError: That name and version exist with different content (versions are immutable).
    """
    with _transaction() as connection:
        rows = connection.execute(
            "SELECT * FROM assets WHERE kind = ? AND name = ? ORDER BY seq",
            (asset.kind, asset.name),
        ).fetchall()
        versions = {row["version"]: row for row in rows}
        latest = [found for found in map(_asset, rows) if not found.archived][-1:]
        if not asset.version and latest and latest[0].content_hash == asset.content_hash:
            # Unchanged content: the latest version already holds it; no new version.
            return latest[0]
        version = asset.version or next_version(list(versions))
        existing = versions.get(version)
        if existing is not None:
            if existing["content_hash"] == asset.content_hash:
                return _asset(existing)
            raise MlopsError(
                f"{asset.kind} {asset.name} version {version} already exists with different "
                f"content (stored {existing['content_hash'][:12]}, given "
                f"{(asset.content_hash or '')[:12]}); versions are immutable. Fix: leave out the "
                f"version to get version {next_version(list(versions))}, or give a new one."
            )
        created_at = datetime.now(UTC).isoformat()
        created_by = getpass.getuser()
        connection.execute(
            "INSERT INTO assets (kind, name, version, type, path, content_hash, description,"
            " tags, properties, details, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                asset.kind,
                asset.name,
                version,
                asset.type,
                str(asset.path),
                asset.content_hash,
                asset.description,
                json.dumps(asset.tags),
                json.dumps(asset.properties),
                json.dumps(asset.details),
                created_at,
                created_by,
            ),
        )
    return find(asset.kind, asset.name, version)


def _query(sql: str, parameters: tuple[Any, ...]) -> list[sqlite3.Row]:
    database = mlops_home() / CATALOG_NAME
    if not database.exists():
        return []
    check_catalog()
    connection = sqlite3.connect(database, timeout=60)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, parameters).fetchall()
    except sqlite3.OperationalError as error:
        # A catalog whose first registration was rolled back has no table yet.
        if "no such table" in str(error):
            return []
        raise
    finally:
        connection.close()


def versions(kind: str, name: str) -> list[Asset]:
    """Every version of `name`, oldest first."""
    rows = _query("SELECT * FROM assets WHERE kind = ? AND name = ? ORDER BY seq", (kind, name))
    return [_asset(row) for row in rows]


def latest_of_each(kind: str, archived: str = "exclude") -> list[Asset]:
    """The latest version of every name of `kind`, by name (what `az ml <kind> list` shows).

    Args:
        kind: data, environment or component.
        archived: "exclude" (az ml's default), "include" or "only" archived versions.
    """
    rows = _query("SELECT * FROM assets WHERE kind = ? ORDER BY seq", (kind,))
    latest: dict[str, Asset] = {}
    for asset in map(_asset, rows):
        if listed(asset.archived, archived):
            latest[asset.name] = asset
    return [latest[name] for name in sorted(latest)]


def all_paths() -> list[Path]:
    """The stored path of every recorded asset (what `content.sweep` keeps)."""
    return [Path(row["path"]) for row in _query("SELECT path FROM assets", ())]


def find(kind: str, name: str, version: str | None = None) -> Asset:
    """Version `version` of `name`, or its latest (most recently created) when None; the latest
    leaves archived versions out, a version given is found archived or not (as on Azure).

    Raises:
        NotFoundError: No such asset or version; the message lists the versions that exist.
    """
    known = versions(kind, name)
    if not known:
        raise NotFoundError(
            f"{kind} asset {name!r} does not exist in the local store. "
            f"Fix: register it with `mlops {kind} create`."
        )
    if version is None:
        active = [asset for asset in known if not asset.archived]
        if not active:
            raise NotFoundError(
                f"every version of {kind} asset {name!r} is archived, so it has no latest. "
                f"Fix: give a version, or `mlops {kind} restore -n {name}`."
            )
        return active[-1]
    for asset in known:
        if asset.version == version:
            return asset
    listed = ", ".join(asset.version for asset in known)
    raise NotFoundError(
        f"{kind} asset {name!r} has no version {version!r}; versions that exist: {listed}."
    )


def set_archived(kind: str, name: str, version: str | None, archived: bool) -> list[Asset]:
    """Archive (or restore) one version of `name`, or every version when `version` is None, as
    `az ml <kind> archive/restore` do.

    Returns:
        The versions changed, as they are now.

    Raises:
        NotFoundError: No such asset or version.
    """
    targets = versions(kind, name) if version is None else [find(kind, name, version)]
    if not targets:
        find(kind, name)  # raises NotFoundError naming the asset
    with _transaction() as connection:
        connection.executemany(
            "UPDATE assets SET archived = ? WHERE kind = ? AND name = ? AND version = ?",
            [(int(archived), kind, name, asset.version) for asset in targets],
        )
    return [find(kind, name, asset.version) for asset in targets]


def update(
    kind: str, name: str, version: str, description: str | None, tags: dict[str, str]
) -> Asset:
    """Set a version's description and tags (`az ml <kind> update`); the rest is immutable.

    Raises:
        NotFoundError: No such asset or version.
    """
    find(kind, name, version)
    with _transaction() as connection:
        connection.execute(
            "UPDATE assets SET description = ?, tags = ?"
            " WHERE kind = ? AND name = ? AND version = ?",
            (description, json.dumps(tags), kind, name, version),
        )
    return find(kind, name, version)
