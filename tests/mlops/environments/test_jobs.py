"""Jobs whose nodes run in their own environments: two pins of one package in one pipeline, and
a node that runs `pip install` without changing the engine's interpreter."""

from __future__ import annotations

import json
import shutil
import site
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.cli import main
from mlops.engine import create_job

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parent / "project"


@pytest.fixture
def project(tmp_path: Path, mlops_home: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target)
    return target


def _report(record: dict, node: str) -> dict:
    out = Path(record["jobs"][node]["outputs"]["out"])
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_two_nodes_pinning_two_versions_of_one_package_each_get_theirs(
    project: Path, monkeypatch
) -> None:
    monkeypatch.delenv("MLOPS_ENV_MODE", raising=False)
    record = create_job(project / "pins.yml")
    assert record["status"] == "Completed"
    assert record["properties"]["environment_mode"] == "auto"
    assert _report(record, "old")["version"] == "1.16.0"
    assert _report(record, "new")["version"] == "1.17.0"
    old, new = record["jobs"]["old"]["environment"], record["jobs"]["new"]["environment"]
    assert (old["mode"], old["ran_in"]) == ("auto", "build")
    assert old["reason"].startswith("the engine lacks six==1.16.0")
    assert old["key"] != new["key"]
    # Each node ran in its own throwaway overlay over its build.
    assert _report(record, "old")["prefix"].endswith("/nodes/old/venv")


def _engine_site() -> dict[str, list[str]]:
    return {
        folder: sorted(p.name for p in Path(folder).iterdir()) for folder in site.getsitepackages()
    }


def test_a_nodes_pip_install_never_changes_the_engines_interpreter(project: Path) -> None:
    before = _engine_site()
    answer = CliRunner().invoke(
        main,
        ["job", "create", "-f", str(project / "pip_install.yml"), "--environment-mode", "shared"],
    )
    assert answer.exit_code == 0, answer.output
    record = json.loads(answer.stdout)
    assert record["properties"]["environment_mode"] == "shared"
    environment = record["jobs"]["installer"]["environment"]
    assert (environment["ran_in"], environment["path"]) == ("engine", sys.prefix)
    assert _report(record, "installer")["version"] == "0.8.3"  # the node had it
    assert _engine_site() == before  # the engine did not get it


def test_a_parallel_nodes_workers_import_from_its_environment(project: Path, monkeypatch) -> None:
    monkeypatch.delenv("MLOPS_ENV_MODE", raising=False)
    record = create_job(project / "batch.yml")
    assert record["status"] == "Completed", record["jobs"]["score"].get("log_tail")
    assert record["jobs"]["score"]["environment"]["ran_in"] == "build"
    out = Path(record["jobs"]["score"]["outputs"]["scored"]) / "parallel_run_step.txt"
    lines = sorted(out.read_text(encoding="utf-8").splitlines())
    assert lines == ["one.txt pyjokes=0.8.3", "two.txt pyjokes=0.8.3"]


def test_a_failed_build_fails_only_its_node_and_the_job_goes_on(
    project: Path, monkeypatch, caplog
) -> None:
    monkeypatch.delenv("MLOPS_ENV_MODE", raising=False)
    record = create_job(project / "broken_build.yml")
    assert record["status"] == "Failed"
    jobs = record["jobs"]
    # The independent node ran, on the engine's interpreter (nothing it lacks).
    assert jobs["fine"]["status"] == "Completed"
    assert jobs["fine"]["environment"]["ran_in"] == "engine"
    assert _report(record, "fine")["version"] is not None
    # The node whose build failed failed without starting, saying why in one line.
    broken = jobs["broken"]
    assert broken["status"] == "Failed"
    assert broken["command"] == []
    error = broken["environment"]["error"]
    assert (broken["environment"]["mode"], broken["environment"]["ran_in"]) == ("auto", None)
    assert error.startswith("environment inline: the build failed (six==1.16.0): ")
    assert "you require six==1.16.0 and six==1.17.0" in error
    assert Path(error.rsplit("(log: ", 1)[1].rstrip(")")).is_file()
    assert broken["log_tail"] == [f"The node could not start: {error}"]
    # Its downstream node never started.
    assert jobs["after"]["status"] == "NotStarted"
    assert jobs["after"]["message"] == "not started: an upstream node did not complete"
    # The job said it when it started, and went on.
    assert f"{error}; the nodes that need it fail." in caplog.messages
