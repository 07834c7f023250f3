"""An environment's conda file as pip requirements: what a local virtualenv must hold.

`conda_requirements` reads the conda file (pip packages, conda packages with a PyPI twin,
`python=`); `unmet` says which of them the running interpreter lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# Conda package names whose Python distribution is called differently.
_CONDA_TO_PIP = {
    "pytorch": "torch",
    "py-xgboost": "xgboost",
    "pytorch-cpu": "torch",
    "tensorflow-cpu": "tensorflow",
    "matplotlib-base": "matplotlib",
    "pyyaml": "PyYAML",
    "python-dateutil": "python-dateutil",
}
# Conda packages with no PyPI twin: system libraries and toolchains a conda env carries.
_CONDA_ONLY = {
    "cudatoolkit",
    "cudnn",
    "nccl",
    "mkl",
    "mkl-service",
    "openmpi",
    "mpi4py-openmpi",
    "blas",
    "openblas",
    "gcc",
    "gxx",
    "gfortran",
    "make",
    "nodejs",
    "git",
    "curl",
    "ca-certificates",
    "openssl",
    "tk",
    "zlib",
    "xz",
    "sqlite",
    "readline",
    "ncurses",
    "r-base",
}
# The interpreter and the installer themselves are not packages a node imports.
_IGNORED = {"python", "pip", "setuptools", "wheel"}
# Packages that only talk to an Azure ML workspace: left out locally (and said so), as the
# local engine tracks to its own MLflow store.
AZURE_ONLY = {"azureml-mlflow", "azureml-core", "azureml-defaults", "azureml-telemetry"}
_CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<rest>.*)$")


@dataclass(frozen=True)
class CondaRequirements:
    """What a conda file asks for, as a virtualenv can provide it.

    Attributes:
        python: The `python=` version asked for (`3.11`), or None.
        requirements: pip requirement strings, in the file's order.
        conda_only: Conda packages with no PyPI twin (not installed locally).
        azure_only: Packages that only work against a workspace (not installed locally).
        options: pip options and URLs (`--index-url`, `git+https://...`), passed through.
    """

    python: str | None
    requirements: tuple[str, ...]
    conda_only: tuple[str, ...] = ()
    azure_only: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


def _conda_requirement(spec: str) -> Requirement | None:
    spec = spec.split("::")[-1].strip()
    match = _CONDA_SPEC.match(spec)
    if not match:
        return None
    name = _CONDA_TO_PIP.get(match["name"].lower(), match["name"])
    rest = match["rest"].split()[0] if match["rest"] else ""
    if rest and rest[0] not in "=<>!~":
        return Requirement(name)
    if rest.startswith("=") and not rest.startswith("=="):
        # conda's `numpy=1.26` means any 1.26.x
        rest = "==" + rest[1:] + ("" if rest.endswith("*") else ".*")
    try:
        return Requirement(f"{name}{rest}")
    except InvalidRequirement:
        return Requirement(name)


def _pip_requirement(spec: str) -> Requirement | str | None:
    spec = spec.split(" #")[0].strip()
    if not spec or spec.startswith("#"):
        return None
    if spec.startswith("-") or "://" in spec:
        return spec  # an option or a URL: uv reads it, `unmet` cannot check it
    try:
        return Requirement(spec)
    except InvalidRequirement:
        return spec


def _python_version(spec: str) -> str | None:
    match = re.match(r"^python\s*=+\s*(?P<version>[0-9][0-9.]*)", spec.split("::")[-1].strip())
    return ".".join(match["version"].rstrip(".").split(".")[:2]) if match else None


def conda_requirements(conda_file: dict[str, Any]) -> CondaRequirements:
    """The pip requirements a conda file amounts to, with what a virtualenv cannot hold.

    Args:
        conda_file: The conda file as loaded (`dependencies:` with strings and a `pip:` list).

    Returns:
        Its python version, requirements, conda-only and Azure-only packages and pip options.
    """
    python = None
    found: list[Requirement | str] = []
    conda_only: list[str] = []
    for dependency in conda_file.get("dependencies") or []:
        if isinstance(dependency, dict):
            for spec in dependency.get("pip") or []:
                requirement = _pip_requirement(str(spec))
                if requirement is not None:
                    found.append(requirement)
            continue
        text = str(dependency)
        if text.split("::")[-1].strip().startswith("python") and _python_version(text):
            python = _python_version(text)
            continue
        requirement = _conda_requirement(text)
        if requirement is None:
            continue
        name = canonicalize_name(requirement.name)
        if name in _CONDA_ONLY or name.startswith(("lib", "r-", "cuda-")):
            conda_only.append(text)
        else:
            found.append(requirement)
    requirements, azure_only, options = [], [], []
    for item in found:
        if isinstance(item, str):
            options.append(item)
            continue
        name = canonicalize_name(item.name)
        if name in _IGNORED:
            continue
        if name in AZURE_ONLY:
            azure_only.append(str(item))
        elif item.marker is None or item.marker.evaluate():
            requirements.append(str(item))
    return CondaRequirements(
        python, tuple(requirements), tuple(conda_only), tuple(azure_only), tuple(options)
    )


def unmet(requirements: tuple[str, ...] | list[str]) -> list[str]:
    """The requirements this interpreter does not satisfy.

    Args:
        requirements: pip requirement strings (`pandas==3.1.1`).

    Returns:
        One entry per unmet requirement, as written, with the installed version in brackets
        when a different one is installed; empty when all are met.
    """
    missing = []
    for text in requirements:
        requirement = Requirement(text)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if requirement.specifier and not requirement.specifier.contains(
            installed, prereleases=True
        ):
            missing.append(f"{text} (installed {installed})")
    return missing


def missing_packages(environment: Any) -> list[str]:
    """The pip and conda packages `environment` lists that this interpreter lacks.

    Args:
        environment: An azure-ai-ml Environment entity (its `conda_file` is a dict once loaded).

    Returns:
        See `unmet`; Azure-only packages and conda-only ones are not counted.
    """
    conda_file = getattr(environment, "conda_file", None)
    if not isinstance(conda_file, dict):
        return []
    return unmet(conda_requirements(conda_file).requirements)
