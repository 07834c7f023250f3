"""The Azure ML environments list the packages pyproject.toml declares, at versions it allows."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

# Needed only on Azure ML: MLflow's plugin for tracking and registering to a workspace.
AZURE_ONLY = {"azureml-mlflow"}
NEEDED = {
    "train-conda.yml": {"mlflow", "scikit-learn", "pandas", "matplotlib"},
    "score-conda.yml": {
        "azureml-inference-server-http",
        "mlflow",
        "orjson",
        "scikit-learn",
        "pandas",
    },
}


@pytest.fixture(scope="module")
def project_requirements(repo_root: Path) -> dict[str, SpecifierSet]:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return {canonicalize_name(r.name): r.specifier for r in requirements}


def _conda(repo_root: Path, name: str) -> tuple[str, list[Requirement]]:
    document = yaml.safe_load((repo_root / "environments" / name).read_text())
    python = next(
        d for d in document["dependencies"] if isinstance(d, str) and d.startswith("python=")
    )
    pip = next(d["pip"] for d in document["dependencies"] if isinstance(d, dict))
    return python.removeprefix("python="), [Requirement(text) for text in pip]


@pytest.mark.parametrize("conda_file", sorted(NEEDED))
def test_conda_pins_satisfy_pyproject(
    repo_root: Path, project_requirements: dict[str, SpecifierSet], conda_file: str
) -> None:
    python, requirements = _conda(repo_root, conda_file)
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert SpecifierSet(project["requires-python"]).contains(f"{python}.0")
    assert python == f"{sys.version_info.major}.{sys.version_info.minor}"
    names = set()
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        names.add(name)
        pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        assert len(pins) == 1, f"{conda_file}: pin {requirement} to one version with =="
        if name in AZURE_ONLY:
            continue
        assert name in project_requirements, f"{conda_file}: {name} is not in pyproject.toml"
        assert project_requirements[name].contains(pins[0]), (
            f"{conda_file}: {requirement} is outside pyproject.toml's {name}"
            f"{project_requirements[name]}"
        )
    assert NEEDED[conda_file] <= names, f"{conda_file} lacks {NEEDED[conda_file] - names}"
