"""Which packages an environment lists that the running interpreter lacks.

Every node runs in the engine's own interpreter, so the engine warns once with this list and
runs the node anyway.
"""

from __future__ import annotations

import re
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
# The interpreter and the installer themselves are not packages a node imports.
_IGNORED = {"python", "pip", "setuptools", "wheel"}
_CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<rest>.*)$")


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


def _pip_requirement(spec: str) -> Requirement | None:
    spec = spec.split("#")[0].strip()
    if not spec or spec.startswith("-") or "://" in spec:
        return None  # options (-r, --index-url) and URLs cannot be checked offline
    try:
        return Requirement(spec)
    except InvalidRequirement:
        return None


def _requirements(conda_file: dict[str, Any]) -> list[Requirement]:
    found: list[Requirement | None] = []
    for dependency in conda_file.get("dependencies") or []:
        if isinstance(dependency, dict):
            found.extend(_pip_requirement(str(spec)) for spec in dependency.get("pip") or [])
        else:
            found.append(_conda_requirement(str(dependency)))
    return [
        requirement
        for requirement in found
        if requirement is not None
        and canonicalize_name(requirement.name) not in _IGNORED
        and (requirement.marker is None or requirement.marker.evaluate())
    ]


def missing_packages(environment: Any) -> list[str]:
    """The pip and conda packages `environment` lists that this interpreter lacks.

    Args:
        environment: An azure-ai-ml Environment entity (its `conda_file` is a dict once loaded).

    Returns:
        One entry per unmet requirement, as written (`pandas==3.1.1`), with the installed
        version in brackets when a different one is installed; empty when all are met.
    """
    conda_file = getattr(environment, "conda_file", None)
    if not isinstance(conda_file, dict):
        return []
    missing = []
    for requirement in _requirements(conda_file):
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(str(requirement))
            continue
        if requirement.specifier and not requirement.specifier.contains(
            installed, prereleases=True
        ):
            missing.append(f"{requirement} (installed {installed})")
    return missing
