"""A registered model's versions read straight from the local SQLite store, without MLflow.

Resolving a model (`azureml:name:version` in a deployment or a job input, `mlops model show`)
or listing models (`mlops model list`) through MLflow costs its import and the opening of its
store: 2-3.5 s of CPU measured here, most of an online deployment's create, for a few rows.
Only reads are done here, in one transaction, and only on a store whose schema revision this
module was checked against (tests/mlops/assets/test_local_registry.py compares every field
with MLflow's own answers).
Anything else -- a server, a schema not known here, MLflow workspaces, a store holding MLflow
prompts, a model that does not exist (MLflow's error says so) -- goes through MLflow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

# MLflow schema revisions whose registered_models, model_versions and model_version_tags tables
# are read as below (MLflow 3.17).
KNOWN_SCHEMAS = frozenset({"dc11669786a5"})
# MLflow's DEFAULT_WORKSPACE_NAME: without workspaces (MLFLOW_ENABLE_WORKSPACES), MLflow reads
# only its rows, and refuses a store that holds a model in another workspace.
_DEFAULT_WORKSPACE = "default"
# MLflow's STAGE_DELETED_INTERNAL: a version being deleted, which MLflow's searches leave out.
_DELETED = "Deleted_Internal"
# MLflow's IS_PROMPT_TAG_KEY: prompts live in the registry's tables, left out of its searches.
_PROMPT_TAG = "mlflow.prompt.is_prompt"
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class ModelVersion:
    """The fields of an MLflow ModelVersion the asset store reads, and its download URI."""

    name: str
    version: str
    creation_timestamp: int
    description: str | None
    user_id: str | None
    source: str | None
    download_uri: str | None  # MLflow's get_model_version_download_uri: storage location or source
    tags: dict[str, str]


def model_versions(database: Path | None, name: str) -> list[ModelVersion] | None:
    """The versions of registered model `name` in the local store, in MLflow's numbering order.

    Returns:
        The versions (none for a model without any); None when MLflow must answer: no local
        store, a schema revision not known here, an unreadable store, or no model `name`.
    """
    return _snapshot(database, lambda connection: _read(connection, name))


def registered_models(database: Path | None) -> dict[str, list[ModelVersion]] | None:
    """Every registered model's versions (as `model_versions` gives them), by name, read in one
    snapshot.

    Returns:
        The models (none in an empty store); None when MLflow must answer: no local store, a
        schema revision not known here, or an unreadable store.
    """
    return _snapshot(database, _read_all)


def _snapshot(database: Path | None, read: Callable[[sqlite3.Connection], T | None]) -> T | None:
    """What `read` finds in the local store, in one read-only transaction; None when MLflow must
    answer."""
    if database is None or not database.is_file() or _workspaces_enabled():
        return None
    try:
        with contextlib.closing(
            sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=60)
        ) as connection:
            connection.isolation_level = None
            connection.execute("BEGIN")  # one snapshot: no write lands between the reads
            try:
                return read(connection) if _known(connection) else None
            finally:
                connection.execute("COMMIT")
    except sqlite3.Error:
        return None


def _known(connection: sqlite3.Connection) -> bool:
    """Whether the store has a schema known here and only the default workspace's models."""
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None or row[0] not in KNOWN_SCHEMAS:
        return False
    # Another workspace's models: MLflow's own answer (or refusal) applies.
    if connection.execute(
        "SELECT 1 FROM registered_models WHERE workspace != ? LIMIT 1", (_DEFAULT_WORKSPACE,)
    ).fetchone():
        return False
    # A prompt (mlflow.genai.register_prompt): MLflow's searches leave out its model and every
    # version of it, by tags of either; MLflow answers rather than a copy of that rule here.
    return not any(
        connection.execute(query, (_PROMPT_TAG,)).fetchone()
        for query in (
            "SELECT 1 FROM registered_model_tags WHERE key = ? AND value = 'true' LIMIT 1",
            "SELECT 1 FROM model_version_tags WHERE key = ? AND value = 'true' LIMIT 1",
        )
    )


def _read_all(connection: sqlite3.Connection) -> dict[str, list[ModelVersion]]:
    names = [row[0] for row in connection.execute("SELECT name FROM registered_models")]
    return {name: _versions(connection, name) for name in sorted(names)}


def _read(connection: sqlite3.Connection, name: str) -> list[ModelVersion] | None:
    if (
        connection.execute("SELECT 1 FROM registered_models WHERE name = ?", (name,)).fetchone()
        is None
    ):
        return None
    return _versions(connection, name)


def _versions(connection: sqlite3.Connection, name: str) -> list[ModelVersion]:
    tags: dict[int, dict[str, str]] = {}
    for version, key, value in connection.execute(
        "SELECT version, key, value FROM model_version_tags WHERE name = ?", (name,)
    ):
        tags.setdefault(int(version), {})[key] = value
    rows = connection.execute(
        "SELECT version, creation_time, description, user_id, source, storage_location "
        "FROM model_versions WHERE name = ? AND current_stage != ? ORDER BY version",
        (name, _DELETED),
    ).fetchall()
    return [
        ModelVersion(
            name=name,
            version=str(version),
            creation_timestamp=created,
            description=description,
            user_id=user_id,
            source=source,
            download_uri=storage_location or source,
            tags=tags.get(int(version), {}),
        )
        for version, created, description, user_id, source, storage_location in rows
    ]


def _workspaces_enabled() -> bool:
    """Whether MLflow reads the store by workspace (its MLFLOW_ENABLE_WORKSPACES, a boolean
    variable): then the active workspace decides which rows are the model's."""
    return os.environ.get("MLFLOW_ENABLE_WORKSPACES", "").lower() in ("true", "1")
