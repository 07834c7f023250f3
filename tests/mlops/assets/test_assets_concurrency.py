"""Two real processes registering at once get distinct versions and lose nothing; a crash
mid-registration leaves no half-registered asset, and its orphan copy is swept."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mlops import tracking
from mlops.assets import catalog, content, resolve_data

REGISTER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    from mlops.assets.{module} import {function}

    worker, count, root = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    print("ready", flush=True)
    while not (root / "go").exists():
        time.sleep(0.01)
    for index in range(count):
        folder = root / f"{{worker}}-{{index}}"
        folder.mkdir(parents=True)
        (folder / "part.csv").write_text(f"a\\n{{worker}}{{index}}\\n")
        asset = {function}(name="shared", path=str(folder))
        print(asset.version, folder.name, flush=True)
    """
)


def _race(tmp_path: Path, module: str, function: str, count: int) -> list[tuple[str, str]]:
    script = tmp_path / "register.py"
    script.write_text(REGISTER.format(module=module, function=function))
    (tmp_path / "sources").mkdir()
    environment = {**os.environ, **tracking.mlflow_environment()}
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), worker, str(count), str(tmp_path / "sources")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for worker in ("w1", "w2")
    ]
    # Both processes have paid their imports before either starts registering.
    assert [worker.stdout.readline().strip() for worker in workers] == ["ready", "ready"]
    (tmp_path / "sources" / "go").touch()
    lines = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=240)
        assert worker.returncode == 0, stderr
        lines += [tuple(line.split()) for line in stdout.splitlines()]
    return lines


@pytest.mark.slow
def test_two_processes_registering_data_get_distinct_versions(tmp_path):
    registered = _race(tmp_path, "data", "create_data", count=5)
    versions = sorted(int(version) for version, _ in registered)
    assert versions == list(range(1, 11))
    for version, folder in registered:
        asset = resolve_data(f"azureml:shared:{version}")
        assert asset.path.name == folder
        assert (asset.path / "part.csv").read_text() == f"a\n{folder.replace('-', '')}\n"


@pytest.mark.slow
def test_two_processes_registering_models_get_distinct_versions(tmp_path, mlops_home):
    registered = _race(tmp_path, "models", "create_model", count=3)
    assert sorted(int(version) for version, _ in registered) == list(range(1, 7))
    stored = {
        str(version.version): Path(version.source).name
        for version in tracking.client().search_model_versions("name='shared'")
    }
    assert stored == {version: folder for version, folder in registered}


@pytest.mark.slow
def test_a_crash_before_the_catalog_write_leaves_only_a_swept_orphan(cli, csv_folder, monkeypatch):
    def crash(asset):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(catalog, "register", crash)
        assert cli.run("data", "create", "-n", "sales", "-p", str(csv_folder)).exit_code == 130
    assert cli.ok("data", "list") == []
    root = content.blob_root("assets")
    (orphan,) = list(root.iterdir())
    stale_stage = root / f"{content.STAGE_PREFIX}crashed"
    stale_stage.mkdir()
    # Within the hour a concurrent registration may still be about to record it: kept.
    assert content.sweep("assets", catalog.all_paths()) == []
    an_hour_ago = time.time() - content.STALE_SECONDS - 1
    for entry in (orphan, stale_stage):
        os.utime(entry, (an_hour_ago, an_hour_ago))
    shown = cli.ok("data", "create", "-n", "sales", "-p", str(csv_folder))
    assert shown["version"] == "1"
    assert Path(shown["path"]).parent == orphan  # same content: the blob was reused ...
    os.utime(orphan, (an_hour_ago, an_hour_ago))
    # ... and is referenced now, so only the stale stage goes.
    assert content.sweep("assets", catalog.all_paths()) == []
    assert not stale_stage.exists()


def test_model_create_waits_for_a_registration_holding_the_stores_register_lock(
    tmp_path, mlops_home, make_csv
):
    """The template's register step flocks `<store>.register.lock` while it reads the versions
    and registers; `model create` takes that same lock, so its explicit version is checked
    against what the step registered, never around it."""
    from mlops.assets.models import create_model
    from mlops.errors import MlopsError

    model = make_csv(tmp_path / "model", rows=3)
    assert create_model(name="shared", path=str(model)).version == "1"
    make_csv(model, rows=4)  # new content: a new version
    outcome: list[object] = []

    def create_version_2() -> None:
        try:
            outcome.append(create_model(name="shared", version="2", path=str(model)).version)
        except MlopsError as error:
            outcome.append(error)

    lock_file = tracking.registry_lock_file()
    assert lock_file == tracking.local_database().parent / "mlflow.db.register.lock"
    with lock_file.open("a") as handle:  # what diabetes_regression.registry.registry_lock does
        fcntl.flock(handle, fcntl.LOCK_EX)
        creating = threading.Thread(target=create_version_2)
        creating.start()
        creating.join(timeout=1.0)
        assert creating.is_alive() and outcome == []  # waiting for the lock
        client = tracking.client()  # the step registers version 2 while it holds the lock
        client.create_model_version("shared", source=str(model), tags={"by": "step"})
        fcntl.flock(handle, fcntl.LOCK_UN)
    creating.join(timeout=60)
    (error,) = outcome
    assert "model shared version 2 already exists with different content" in str(error)
    assert "versions are immutable. Fix: leave out the version, or give a new one." in str(error)
    versions = tracking.client().search_model_versions("name='shared'")
    assert sorted((v.version, v.tags.get("by")) for v in versions) == [(1, None), (2, "step")]
