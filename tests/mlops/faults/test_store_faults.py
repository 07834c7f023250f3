"""A damaged store is refused, never recreated over, and no model's files are lost with it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from mlops.assets import content

AN_HOUR_AGO = time.time() - 2 * content.STALE_SECONDS


def _register_two(cli, model_folder: Path) -> list[Path]:
    """Two model versions whose files are old enough for the sweep of unreferenced copies."""
    paths = []
    for weights in ("1.0\n", "2.0\n"):
        (model_folder / "weights.txt").write_text(weights)
        paths.append(Path(cli.ok("model", "create", "-n", "m", "-p", str(model_folder))["path"]))
    for path in paths:
        os.utime(path.parent, (AN_HOUR_AGO, AN_HOUR_AGO))
    return paths


def _damage(database: Path, how: str) -> None:
    data = database.read_bytes()
    if how == "empty":
        database.write_bytes(b"")
    elif how == "truncated":
        database.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        database.write_bytes(b"\x17" * len(data))
    elif how == "zeroed pages":
        database.write_bytes(data[:8192] + bytes(len(data) - 8192))
    elif how in ("unknown schema", "older schema"):
        # 0584bdc529eb is one of MLflow's own, older revisions.
        revision = "ffffffffffff" if how == "unknown schema" else "0584bdc529eb"
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        connection.close()


@pytest.mark.parametrize(
    "how", ["empty", "truncated", "garbage", "zeroed pages", "unknown schema", "older schema"]
)
def test_damaged_database_is_refused_and_no_model_file_is_lost(
    cli, mlops_home, model_folder, tmp_path, how
):
    paths = _register_two(cli, model_folder)
    database = mlops_home / "mlflow.db"
    backup = tmp_path / "backup.db"
    shutil.copyfile(database, backup)
    _damage(database, how)
    damaged = database.read_bytes()

    listed = cli.error("model", "list")
    created = cli.error("model", "create", "-n", "other", "-p", str(model_folder))

    for line in (listed, created):
        assert str(database) in line and "Fix:" in line
        assert ("mlflow db upgrade" in line) == (how == "older schema")
    assert database.read_bytes() == damaged, "the damaged file was written over"
    assert all((path / "weights.txt").is_file() for path in paths)
    shutil.copyfile(backup, database)
    assert [m["version"] for m in cli.ok("model", "list", "-n", "m")] == ["2", "1"]


def test_damaged_database_stops_a_job_before_it_runs(cli, mlops_home, tmp_path):
    database = mlops_home / "mlflow.db"
    database.write_bytes(b"")
    job = tmp_path / "job.yml"
    job.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
        "command: echo hi\nenvironment: azureml:anything@latest\ncompute: local\n"
    )
    line = cli.error("job", "create", "-f", str(job))
    assert "is empty (0 bytes)" in line and str(database) in line
    assert database.stat().st_size == 0
    assert not (mlops_home / "jobs").exists() or not any((mlops_home / "jobs").iterdir())


@pytest.mark.slow
def test_unreferenced_model_files_go_to_the_trash_not_away(
    cli, mlops_home, model_folder, run_mlops
):
    """A lost database (deleted, not damaged) reads as an empty registry: the old files are
    moved to the trash, where moving them back restores them."""
    paths = _register_two(cli, model_folder)
    (mlops_home / "mlflow.db").unlink()
    (model_folder / "weights.txt").write_text("3.0\n")

    # A new process, as a user's next command is (this one's MLflow keeps the old file open).
    run_mlops("model", "create", "-n", "m", "-p", str(model_folder), check=True)

    trash = content.trash_root("mlartifacts")
    for path in paths:
        assert not path.exists()
        assert (trash / path.parent.name / "model" / "weights.txt").is_file()
    (trash / paths[0].parent.name).rename(paths[0].parent)
    assert (paths[0] / "weights.txt").read_text() == "1.0\n"


def test_empty_asset_catalog_is_refused_and_data_files_kept(cli, mlops_home, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "rows.csv").write_text("a\n1\n")
    created = cli.ok("data", "create", "-n", "d", "-p", str(folder), "-t", "uri_folder")
    stored = Path(created["path"])
    os.utime(stored.parent, (AN_HOUR_AGO, AN_HOUR_AGO))
    catalog = mlops_home / "assets.db"
    catalog.write_bytes(b"")
    (folder / "rows.csv").write_text("a\n2\n")

    line = cli.error("data", "create", "-n", "d", "-p", str(folder), "-t", "uri_folder")

    assert str(catalog) in line and "0 bytes" in line
    assert catalog.stat().st_size == 0
    assert (stored / "rows.csv").read_text() == "a\n1\n"


def test_a_typo_in_set_is_refused_with_the_names_that_exist(cli, mlops_home, tmp_path):
    job = tmp_path / "job.yml"
    job.write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
        "command: echo ${{inputs.alpha}}\nenvironment: azureml:anything@latest\n"
        "compute: local\ninputs:\n  alpha: 0.5\n  seed: 1\n"
    )
    line = cli.error("job", "create", "-f", str(job), "--set", "inputs.aplha=0.01")

    assert "--set inputs.aplha" in line and "alpha, seed" in line
    assert not (mlops_home / "jobs").exists() or not any((mlops_home / "jobs").iterdir())
