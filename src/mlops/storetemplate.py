"""A new local MLflow store, copied from a template instead of migrated anew.

MLflow makes a new SQLite store by running every schema migration (about 1 s of CPU, after the
1.5 s of MLflow's own import), and every store one MLflow version makes is the same but for one
row: its Default experiment, whose artifact location is `./mlruns/0` of the working directory
and whose times are the creation's. So the first store is made by MLflow once, into a template
kept per MLflow version and schema revision under the user's cache folder
(`$XDG_CACHE_HOME/mlops`, by default `~/.cache/mlops`), and every later new store -- another
clone, another `MLOPS_HOME`, a test's -- is a copy of it with that row written as MLflow writes
it. A store made so needs no MLflow at all: a job on it starts no tracker process.

Safe when several processes make the template or a store at once: each writes its own
temporary file and links or renames it into place (atomic), so a reader sees a whole file or
none, and a store made meanwhile is never replaced.
Where the cache cannot be written, MLflow makes every store itself, as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import sqlite3
import time
from pathlib import Path

from mlops import storecheck

logger = logging.getLogger(__name__)

DEFAULT_EXPERIMENT_ID = 0  # MLflow's SqlAlchemyStore.DEFAULT_EXPERIMENT_ID


def cache_folder() -> Path:
    """The user's cache folder for this tool: `$XDG_CACHE_HOME/mlops`, else `~/.cache/mlops`."""
    configured = os.environ.get("XDG_CACHE_HOME")
    return (Path(configured) if configured else Path.home() / ".cache") / "mlops"


def template_path() -> Path | None:
    """The template for the installed MLflow (its version and newest schema revision in the
    name); None when the revision cannot be read (the store is left to MLflow)."""
    _known, head = storecheck.mlflow_revisions()
    if head is None:
        return None
    # Deferred: importlib.metadata costs ~60 ms, and only a new store needs the version.
    import importlib.metadata

    version = importlib.metadata.version("mlflow")
    return cache_folder() / "mlflow-stores" / f"mlflow-{version}-{head}.db"


def copy_template(database: Path) -> bool:
    """Make the new store `database` as a copy of the cached template, when there is one.

    The caller holds the store's creation lock and has checked that `database` does not exist.

    Returns:
        True when the store was made; False when no template is cached (or it cannot be
        copied), and MLflow must make the store.
    """
    template = template_path()
    if template is None or not template.is_file():
        return False
    try:
        storecheck.check_database(template, schema=_template_schema)
    except storecheck.DamagedStore as error:
        logger.warning("%s; removed, MLflow makes the store (and a new template)", error)
        with contextlib.suppress(OSError):  # a read-only cache: MLflow makes every store
            template.unlink(missing_ok=True)
        return False
    try:
        _copy(template, database)
    except (OSError, sqlite3.Error) as error:
        logger.debug("store template %s not copied (%s): MLflow makes the store", template, error)
        return False
    return True


def _template_schema(connection: sqlite3.Connection, path: Path) -> None:
    """A store of the installed MLflow's schema, and not an empty database (which passes as a
    new store, but from which no store can be copied).

    Raises:
        DamagedStore: No tables, or not the installed MLflow's schema.
    """
    if not storecheck.tables(connection):
        raise storecheck.DamagedStore(f"store template {path} has no tables")
    storecheck.mlflow_schema(connection, path)


def make_template() -> Path | None:
    """Have MLflow make a store into the cache (the template), unless one is there already.

    Returns:
        The template, or None when the cache cannot be written.
    """
    template = template_path()
    if template is None or template.is_file():
        return template
    # MLflow's import costs about a second: only a process that makes the template pays it.
    from mlflow.store.tracking import DEFAULT_LOCAL_FILE_AND_ARTIFACT_PATH
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        name = _unique(template)
        try:
            # The store MLflow's client makes for a new sqlite:/// URI (migrations, Default).
            store = SqlAlchemyStore(f"sqlite:///{name}", DEFAULT_LOCAL_FILE_AND_ARTIFACT_PATH)
            # Closes the file its pool keeps open: Windows renames no open file, and the
            # template would never be made there (its temporary files left behind).
            store.engine.dispose()
            os.replace(name, template)  # atomic: another maker's template is just as good
        finally:
            Path(name).unlink(missing_ok=True)
    except Exception as error:  # only a shortcut: MLflow makes the store itself, as before
        logger.debug("no store template in %s (%s)", template.parent, error)
        return None
    return template


def _copy(template: Path, database: Path) -> None:
    """Copy `template` to `database` through a temporary file linked into place, with the
    Default experiment's row as MLflow would write it here and now."""
    database.parent.mkdir(parents=True, exist_ok=True)
    name = _unique(database)
    try:
        shutil.copyfile(template, name)
        now = int(time.time() * 1000)
        with contextlib.closing(sqlite3.connect(name)) as connection, connection:
            connection.execute(
                "UPDATE experiments SET artifact_location = ?, creation_time = ?, "
                "last_update_time = ? WHERE experiment_id = ?",
                (default_artifact_location(), now, now, DEFAULT_EXPERIMENT_ID),
            )
        _place(name, database)
    finally:
        Path(name).unlink(missing_ok=True)


def _place(name: Path, database: Path) -> None:
    """Give the finished copy its name only if no store has it: an MLflow that opens the store
    without this tool's lock (a step's, the sample's register step) may have made it meanwhile,
    and its rows are kept."""
    try:
        os.link(name, database)  # atomic, and fails where the name is taken
    except FileExistsError:
        logger.debug("%s was made meanwhile; the copy of the template is dropped", database)
    except OSError:  # a file system without hard links: the rename, as close as it gets
        if not database.exists():
            os.replace(name, database)


def _unique(path: Path) -> Path:
    """A new name beside `path` that no other process picks (the file gets the usual
    permissions, where mkstemp's would be private)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.new")


def default_artifact_location() -> str:
    """Where MLflow puts a new store's Default experiment: `./mlruns/0` of the working
    directory, absolute (a file URI on Windows), as its `resolve_uri_if_local` makes it."""
    root = Path.cwd().joinpath("mlruns").as_posix()
    return f"file:///{root}/0" if os.name == "nt" else f"{root}/0"
