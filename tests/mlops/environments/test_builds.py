"""Builds with uv: a package the engine lacks, the cache, concurrent builds, a failed build.

Packages come from the package index the first time, from uv's cache afterwards (offline).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops.environments import cache
from mlops.environments.choose import prepare
from mlops.environments.report import all_builds, prune
from mlops.environments.spec import Spec
from mlops.errors import MlopsError

pytestmark = pytest.mark.slow

JOKES = Spec("azureml:jokes:1", requirements=("pyjokes==0.8.3",))


def test_auto_builds_what_the_engine_lacks_then_reuses_the_build(mlops_home: Path) -> None:
    first = prepare(JOKES, "auto", "node")
    assert first.ran_in == "build"
    assert first.reason == "the engine lacks pyjokes==0.8.3; built now"
    python = first.bin_folder / "python"
    imported = subprocess.run(
        [str(python), "-c", "import pyjokes, sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == str(first.bin_folder.parent)
    # The build sees none of the engine's packages.
    assert subprocess.run([str(python), "-c", "import click"], check=False).returncode == 1
    again = prepare(JOKES, "isolated", "node")
    assert (again.key, again.build_seconds) == (first.key, 0.0)
    assert again.reason == "isolated mode always builds; cached build"
    [listed] = all_builds()
    assert (listed["environment"], listed["key"]) == ("azureml:jokes:1", first.key)
    assert listed["size_mb"] > 0
    assert prune(7.0) == []
    assert [entry["key"] for entry in prune(0, everything=True)] == [first.key]
    assert cache.build_keys() == []


_BUILD = """
import json, sys
from mlops.environments.choose import prepare
from mlops.environments.spec import Spec
prepared = prepare(Spec("azureml:jokes:1", requirements=("pyjokes==0.8.3",)), "isolated", "node")
print(json.dumps([prepared.key, prepared.build_seconds]))
"""


def test_two_processes_building_one_environment_build_it_once(
    mlops_home: Path, monkeypatch
) -> None:
    monkeypatch.setenv("MLOPS_HOME", str(mlops_home))
    processes = [
        subprocess.Popen([sys.executable, "-c", _BUILD], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    answers = [json.loads(process.communicate(timeout=300)[0]) for process in processes]
    assert answers[0][0] == answers[1][0]
    built_now = [seconds for _key, seconds in answers if seconds > 0]
    assert len(built_now) == 1
    assert cache.build_keys() == [answers[0][0]]
    assert not list(cache.root().glob(".*.tmp"))


def test_a_failed_build_names_the_package_the_reason_and_the_log(mlops_home: Path) -> None:
    spec = Spec("azureml:clash:1", requirements=("six==1.16.0", "six==1.17.0"))
    with pytest.raises(MlopsError) as raised:
        prepare(spec, "isolated", "node")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("environment azureml:clash:1: the build failed (six==1.16.0): ")
    assert "you require six==1.16.0 and six==1.17.0" in message
    log = Path(message.rsplit("(log: ", 1)[1].rstrip(")"))
    assert log.is_file()
    assert cache.build_keys() == []
    assert not list(cache.root().glob(".*.tmp"))


def test_a_build_runs_on_the_python_its_conda_file_names(mlops_home: Path) -> None:
    from mlops.environments.interpreters import interpreter_for

    wanted = f"{sys.version_info.major}.{sys.version_info.minor - 1}"
    if interpreter_for(wanted).note:
        pytest.skip(f"no Python {wanted} on this machine")
    prepared = prepare(Spec("old", python=wanted, requirements=("pyjokes==0.8.3",)), "auto", "node")
    assert prepared.reason.startswith("the engine lacks pyjokes==0.8.3")
    ran = subprocess.run(
        [str(prepared.bin_folder / "python"), "-c", "import sys; print(sys.version[:5])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.startswith(wanted)
