"""Refuse a damaged SQLite store before anything reads it as empty or writes over it.

SQLite and MLflow both take a 0-byte file for a new, empty database: MLflow would create its
tables over it, `mlops model list` would print `[]`, and a sweep of unreferenced files would
then remove every model's files. A file that is not a whole, known database is therefore
refused with one line naming it and the way back, and left exactly as it was.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from mlops.errors import MlopsError

_HEADER = b"SQLite format 3\x00"
# SQLite's full structural check reads every page (~8 ms per MB measured here); larger stores
# get the header, length and schema checks, and any damage SQLite meets later is still refused.
FULL_CHECK_BYTES = 64 * 1024 * 1024
_JOURNALS = ("-journal", "-wal")
_RECOVER = "Fix: restore it from a backup, or move it aside to start an empty store."


class DamagedStore(MlopsError):
    """A store file that is empty, truncated, corrupt or of a schema this tool does not know."""


def check_database(path: Path, *, schema: Callable[[sqlite3.Connection, Path], None]) -> None:
    """Check that `path` is absent (a new store) or a whole SQLite database, read-only.

    Args:
        path: The database file.
        schema: Checks the tables of a database that passed SQLite's own check; raises
            DamagedStore when they are not the ones expected.

    Raises:
        DamagedStore: The file is empty, not SQLite, damaged, or of an unknown schema.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return
    _checked(path, stat.st_size, stat.st_mtime_ns, schema)


@functools.lru_cache(maxsize=16)
def _checked(
    path: Path, size: int, mtime_ns: int, schema: Callable[[sqlite3.Connection, Path], None]
) -> None:
    # Cached on size and modification time: one check per process while the file is unchanged.
    if size == 0:
        raise DamagedStore(
            f"{path} is empty (0 bytes), not a database; it was left as it is. {_RECOVER}"
        )
    with path.open("rb") as stream:
        header = stream.read(100)
    if header[: len(_HEADER)] != _HEADER:
        raise DamagedStore(f"{path} is not an SQLite database; it was left as it is. {_RECOVER}")
    _check_length(path, header, size)
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as error:
        raise DamagedStore(f"{path} cannot be opened ({error}). {_RECOVER}") from None
    try:
        if size <= FULL_CHECK_BYTES:
            verdict = connection.execute("PRAGMA quick_check").fetchone()
            if not verdict or verdict[0] != "ok":
                raise DamagedStore(
                    f"{path} is damaged (SQLite: {verdict[0] if verdict else 'no answer'}); it "
                    f"was left as it is. {_RECOVER}"
                )
        schema(connection, path)
    except sqlite3.DatabaseError as error:
        raise DamagedStore(
            f"{path} is truncated or damaged (SQLite: {error}); it was left as it is. {_RECOVER}"
        ) from None
    finally:
        connection.close()


def _check_length(path: Path, header: bytes, size: int) -> None:
    """Refuse a file shorter than its own header says (a truncated copy or download)."""
    if len(header) < 100 or any(path.with_name(path.name + end).exists() for end in _JOURNALS):
        # A journal left by a crash is rolled back on open; the length may differ until then.
        return
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is only kept current when its "valid-for" number matches the change counter.
    if header[24:28] == header[92:96] and pages * page_size > size:
        raise DamagedStore(
            f"{path} is truncated: its header says {pages * page_size:,} bytes, the file has "
            f"{size:,}; it was left as it is. {_RECOVER}"
        )


def tables(connection: sqlite3.Connection) -> set[str]:
    """The names of the tables in a database."""
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


def mlflow_schema(connection: sqlite3.Connection, path: Path) -> None:
    """Accept a database MLflow made with the schema of the installed MLflow, or a new one.

    Raises:
        DamagedStore: Tables that are not MLflow's, or a schema revision other than the
            installed MLflow's (older: the message gives the upgrade command).
    """
    names = tables(connection)
    if not names:
        return
    if "alembic_version" not in names:
        raise DamagedStore(
            f"{path} is an SQLite database but not an MLflow store (no alembic_version table); "
            f"it was left as it is. {_RECOVER}"
        )
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    found = row[0] if row else None
    known, head = mlflow_revisions()
    if found == head:
        return
    if found in known:
        raise DamagedStore(
            f"{path} has MLflow schema {found}, older than this MLflow's ({head}). Fix: back it "
            f"up, then run `mlflow db upgrade sqlite:///{path}`."
        )
    raise DamagedStore(
        f"{path} has MLflow schema {found!r}, which the installed MLflow does not know (made "
        "by a newer MLflow?); it was left as it is. Fix: use the MLflow version that made it, "
        "or restore a backup."
    )


@functools.lru_cache(maxsize=1)
def mlflow_revisions() -> tuple[frozenset[str], str | None]:
    """Every schema revision the installed MLflow knows, and its newest (the one no other
    revision builds on), read from its migration scripts without importing alembic."""
    spec = importlib.util.find_spec("mlflow")
    assert spec is not None and spec.submodule_search_locations
    versions = Path(next(iter(spec.submodule_search_locations))) / "store/db_migrations/versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revision = re.search(r'^revision\s*=\s*["\']([0-9a-f]+)["\']', text, re.MULTILINE)
        parent = re.search(r'^down_revision\s*=\s*["\']([0-9a-f]+)["\']', text, re.MULTILINE)
        if revision:
            revisions.add(revision[1])
        if parent:
            parents.add(parent[1])
    heads = revisions - parents
    return frozenset(revisions), (next(iter(heads)) if len(heads) == 1 else None)
