"""`mlops environment create --build`, `show` (local_build), `builds` and `prune`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.cli import main

pytestmark = pytest.mark.slow

JOKES = Path(__file__).parent / "project" / "environments" / "jokes.yml"


def _json(arguments: list[str]) -> object:
    answer = CliRunner().invoke(main, arguments)
    assert answer.exit_code == 0, answer.output
    return json.loads(answer.stdout)


def test_create_build_show_builds_and_prune(mlops_home: Path) -> None:
    created = _json(["environment", "create", "-f", str(JOKES)])
    assert created["local_build"]["built"] is False
    assert "conda-only packages not installed locally: mkl" in created["local_build"]["notes"][1]

    built = _json(["environment", "create", "-f", str(JOKES), "--build"])
    node = built["local_build"]["builds"]["node"]
    assert built["version"] == "1"
    assert Path(node["path"]).parent == mlops_home / "environments"
    assert node["size_mb"] > 0
    shown = _json(["environment", "show", "-n", "jokes", "-v", "1", "--query", "local_build.built"])
    assert shown is True

    [listed] = _json(["environment", "builds"])
    assert (listed["environment"], listed["key"]) == ("azureml:jokes:1", node["key"])
    assert _json(["environment", "prune", "--yes"]) == []  # used just now
    assert [entry["key"] for entry in _json(["environment", "prune", "--all", "--yes"])] == [
        node["key"]
    ]
    assert _json(["environment", "builds"]) == []


def test_list_says_whether_each_environment_is_built(mlops_home: Path) -> None:
    _json(["environment", "create", "-f", str(JOKES)])
    [row] = _json(["environment", "list"])
    assert (row["name"], row["latest_version"], row["built"]) == ("jokes", "1", False)
    [version] = _json(["environment", "list", "-n", "jokes"])
    assert (version["version"], version["built"]) == ("1", False)
