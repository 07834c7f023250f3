"""Model versions read straight from the local store (assets/localregistry.py) must be the
assets MLflow's own answers give; an MLflow upgrade that changes the schema fails here first."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mlops import storecheck, tracking
from mlops.assets import localregistry, models
from mlops.errors import NotFoundError


def test_the_installed_mlflow_writes_a_schema_known_here() -> None:
    # If this fails, MLflow was upgraded: check registered_models, model_versions and
    # model_version_tags against localregistry.py, then add the revision to KNOWN_SCHEMAS.
    assert storecheck.mlflow_revisions()[1] in localregistry.KNOWN_SCHEMAS


@pytest.fixture
def registered(mlops_home: Path, model_folder: Path) -> str:
    """Model `m`: version 1, an archived version 2 with a description and tags, version 3."""
    models.create_model(name="m", path=str(model_folder), model_type="custom_model")
    (model_folder / "weights.txt").write_text("2\n")
    models.create_model(
        name="m", path=str(model_folder), description="second", tags={"stage": "candidate"}
    )
    models.archive_model("m", "2")
    (model_folder / "weights.txt").write_text("3\n")
    models.create_model(name="m", path=str(model_folder))
    return "m"


def test_every_version_reads_back_as_mlflow_gives_it(registered: str) -> None:
    client = tracking.client()
    theirs = [models._asset(version, client) for version in models._versions(client, registered)]
    listed = localregistry.model_versions(tracking.local_database(), registered)
    assert listed is not None
    mine = [models._asset(version, None) for version in listed]
    assert mine == theirs
    assert [asset.version for asset in mine] == ["1", "2", "3"]
    assert mine[1].description == "second" and mine[1].tags == {"stage": "candidate"}


def test_find_model_reads_the_store_as_mlflow_would(
    registered: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = [models.find_model(registered), models.find_model(registered, "2")]
    monkeypatch.setattr(localregistry, "model_versions", lambda database, name: None)
    theirs = [models.find_model(registered), models.find_model(registered, "2")]
    assert mine == theirs
    assert [asset.version for asset in mine] == ["3", "2"]  # latest leaves out the archived
    with pytest.raises(NotFoundError, match="versions that exist: 1, 2, 3"):
        models.find_model(registered, "9")


def test_model_list_reads_the_store_as_mlflow_would(
    registered: str, model_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models.create_model(name="another", path=str(model_folder), model_type="custom_model")
    tracking.client().create_registered_model("empty")  # no version: not listed
    calls = [
        (None, "exclude"),
        (None, "include"),
        (None, "only"),
        (registered, "exclude"),
        (registered, "include"),
        (registered, "only"),
        ("absent", "exclude"),
    ]
    mine = [models.list_models(name, archived) for name, archived in calls]
    monkeypatch.setattr(localregistry, "registered_models", lambda database: None)
    theirs = [models.list_models(name, archived) for name, archived in calls]

    assert mine == theirs
    assert [(asset.name, asset.version) for asset in mine[0]] == [("another", "1"), ("m", "3")]
    assert [asset.version for asset in mine[4]] == ["3", "2", "1"]
    assert [asset.version for asset in mine[5]] == ["2"]
    assert mine[2] == [mine[5][0]]  # only archived: m's version 2
    assert mine[6] == []


def test_model_list_imports_no_mlflow(registered: str) -> None:
    code = (
        "import sys; from mlops.assets.models import list_models; "
        "assets = list_models('m'); print(len(assets), 'mlflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "False"]


def test_what_is_not_read_here_goes_through_mlflow(registered: str, tmp_path: Path) -> None:
    database = tracking.local_database()
    assert database is not None
    assert localregistry.model_versions(database, "absent") is None
    with pytest.raises(NotFoundError, match="does not exist"):
        models.find_model("absent")
    assert localregistry.model_versions(None, registered) is None
    other = tmp_path / "other.db"
    shutil.copyfile(database, other)
    with sqlite3.connect(other) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    assert localregistry.model_versions(other, registered) is None
    assert localregistry.registered_models(other) is None


def test_resolving_a_model_imports_no_mlflow(registered: str) -> None:
    code = (
        "import sys; from mlops.assets import resolve_model; "
        "asset = resolve_model('azureml:m:1'); print(asset.version, 'mlflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "False"]


def test_a_store_with_mlflow_workspaces_goes_through_mlflow(
    registered: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MLflow answers for its active workspace only (and, workspaces off, refuses a store with a
    # model outside the default one); these tables hold every workspace's rows side by side.
    database = tracking.local_database()
    assert database is not None
    assert [v.version for v in localregistry.model_versions(database, registered) or []] == [
        "1",
        "2",
        "3",
    ]
    monkeypatch.setenv("MLFLOW_ENABLE_WORKSPACES", "true")
    assert localregistry.model_versions(database, registered) is None
    assert localregistry.registered_models(database) is None
    monkeypatch.delenv("MLFLOW_ENABLE_WORKSPACES")
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO registered_models (name, workspace) VALUES ('m', 'team')")
        connection.execute(
            "INSERT INTO model_versions (name, version, current_stage, source, workspace) "
            "VALUES ('m', 1, 'None', '/elsewhere', 'team')"
        )
    assert localregistry.model_versions(database, registered) is None
    assert localregistry.registered_models(database) is None


def test_similar_names_deleted_and_unfinished_versions_read_as_mlflow_gives_them(
    mlops_home: Path, model_folder: Path
) -> None:
    # `_` and `%` are LIKE's wildcards and SQLite's LIKE ignores case: the names must match
    # exactly. A deleted version is left out; one still or never registered is listed.
    client = tracking.client()
    names = ["m_1", "m%1", "M_1", "mx1"]
    for name in names:
        client.create_registered_model(name)
        for _ in range(3 if name == "m_1" else 1):
            client.create_model_version(name, source=str(model_folder))
    client.delete_model_version("m_1", "2")
    with sqlite3.connect(tracking.local_database()) as connection:
        connection.execute(
            "UPDATE model_versions SET status = 'PENDING_REGISTRATION' WHERE name = 'm_1' "
            "AND version = 3"
        )
        connection.execute(
            "UPDATE model_versions SET status = 'FAILED_REGISTRATION' WHERE name = 'M_1'"
        )
    for name in names:
        theirs = [models._asset(v, client) for v in models._versions(client, name)]
        listed = localregistry.model_versions(tracking.local_database(), name)
        assert listed is not None
        assert [models._asset(v, None) for v in listed] == theirs, name
    assert [
        v.version for v in localregistry.model_versions(tracking.local_database(), "m_1") or []
    ] == ["1", "3"]
    assert localregistry.model_versions(tracking.local_database(), "m_") is None


def test_a_store_being_written_reads_as_one_snapshot_and_waits_for_a_commit(
    registered: str,
) -> None:
    database = tracking.local_database()
    assert database is not None
    writer = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    release = threading.Timer(0.3, writer.execute, ("ROLLBACK",))
    try:
        writer.execute("BEGIN IMMEDIATE")  # a registration under way: readers go on
        writer.execute(
            "INSERT INTO model_versions (name, version, current_stage, source, status) "
            "VALUES ('m', 4, 'None', '/new', 'READY')"
        )
        listed = localregistry.model_versions(database, registered)
        assert [v.version for v in listed or []] == ["1", "2", "3"]
        writer.execute("COMMIT")
        writer.execute("BEGIN EXCLUSIVE")  # a commit being written: the read waits for it
        release.start()
        listed = localregistry.model_versions(database, registered)
        assert [v.version for v in listed or []] == ["1", "2", "3", "4"]
    finally:
        release.cancel()
        if release.ident is not None:
            release.join()
        writer.close()


def test_a_prompt_in_the_store_is_no_model_as_mlflow_says(registered: str) -> None:
    # MLflow 3 keeps prompts (mlflow.genai.register_prompt) in the model registry's tables; its
    # searches leave them out, so neither model list nor a model reference sees one.
    tracking.client().register_prompt("greeting", "Hello {{name}}")

    listed = [models.list_models(), models.list_models("greeting", "include")]

    assert [asset.name for asset in listed[0]] == ["m"]
    assert listed[1] == []
    assert localregistry.model_versions(tracking.local_database(), "greeting") is None
    assert localregistry.model_versions(tracking.local_database(), "m") is None  # MLflow reads
    with pytest.raises(NotFoundError):
        models.find_model("greeting")
