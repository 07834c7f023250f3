"""An environment's specification: what its virtualenv holds, read from its YAML.

A conda file gives the pip packages, the conda packages with a PyPI twin and `python=`. An
image alone, a Docker build context, or a registry or workspace reference the local store does
not hold gives an empty specification with a note: such an environment is accepted, never a
reason to stop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops.assets.packages import conda_requirements
from mlops.errors import MlopsError

# The name azure-ai-ml gives an inline (anonymous) environment.
_ANONYMOUS = "CliV2AnonymousEnvironment"


@dataclass(frozen=True)
class Spec:
    """What an environment asks for.

    Attributes:
        label: How to name it to a user (`azureml:train:1`, or `inline` for one in a component).
        python: The Python version asked for (`3.11`), or None.
        requirements: pip requirement strings to install.
        options: pip options and URLs passed to the installer as they are.
        notes: One line each about what is not honoured locally (image, conda-only packages).
        buildable: False when there is nothing to build from (image only, unknown reference).
    """

    label: str
    python: str | None = None
    requirements: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    buildable: bool = True

    def to_json(self) -> dict[str, Any]:
        """The specification as stored next to its build."""
        return {
            "label": self.label,
            "python": self.python,
            "requirements": list(self.requirements),
            "options": list(self.options),
            "notes": list(self.notes),
        }


def _label(environment: Any) -> str:
    name = getattr(environment, "name", None)
    version = getattr(environment, "version", None)
    if not name or name == _ANONYMOUS:
        return "inline"
    return f"azureml:{name}:{version}" if version else f"azureml:{name}"


def shown(environment: Any) -> str | dict[str, Any] | None:
    """An environment as az ml shows it in JSON, never as a Python repr: a reference as written,
    a named and versioned entity as `azureml:<name>:<version>`, an inline one as its YAML
    fields (`image`, `conda_file`, `build`)."""
    if environment is None or isinstance(environment, str):
        return environment
    name = getattr(environment, "name", None)
    version = getattr(environment, "version", None)
    named = bool(name) and name != _ANONYMOUS
    if named and version:
        return f"azureml:{name}:{version}"
    build = getattr(environment, "build", None)
    fields: dict[str, Any] = {
        "name": name if named else None,
        "image": getattr(environment, "image", None),
        "conda_file": getattr(environment, "conda_file", None),
        "build": None if build is None else {"path": str(getattr(build, "path", build))},
    }
    return {key: value for key, value in fields.items() if value is not None}


def from_entity(environment: Any, label: str | None = None) -> Spec:
    """The specification of an azure-ai-ml Environment entity.

    Args:
        environment: The entity (its `conda_file` is a dict once loaded).
        label: How to name it; derived from its name and version when None.
    """
    label = label or _label(environment)
    conda_file = getattr(environment, "conda_file", None)
    image = getattr(environment, "image", None)
    build = getattr(environment, "build", None)
    if isinstance(conda_file, str):
        # A path left unread (an entity built in code): read it as azure-ai-ml would.
        import yaml

        base = Path(getattr(environment, "base_path", None) or ".")
        conda_file = yaml.safe_load((base / conda_file).read_text(encoding="utf-8"))
    if not isinstance(conda_file, dict):
        what = f"image {image}" if image else "a Docker build context" if build else "no conda file"
        return Spec(label, notes=(f"{label}: {what}, nothing to build locally",), buildable=False)
    wanted = conda_requirements(conda_file)
    notes = []
    if image:
        notes.append(
            f"{label}: image {image} is not used locally (no Docker): "
            "only the conda file's packages are installed"
        )
    if wanted.conda_only:
        notes.append(
            f"{label}: conda-only packages not installed locally: {', '.join(wanted.conda_only)}"
        )
    if wanted.azure_only:
        notes.append(
            f"{label}: Azure-only packages left out locally: {', '.join(wanted.azure_only)}"
        )
    return Spec(label, wanted.python, wanted.requirements, wanted.options, tuple(notes))


def of_component(component: Any) -> Spec | None:
    """The specification of a component's (or deployment's) `environment`, None when it has none.

    A reference (`azureml:name:version`, `azureml:name@latest`) is looked up in the local
    store; one the store does not hold gives an unbuildable specification with a note.
    """
    environment = getattr(component, "environment", None)
    if environment is None:
        return None
    if not isinstance(environment, str):
        return from_entity(environment)
    reference = environment if environment.startswith("azureml:") else f"azureml:{environment}"
    try:
        from mlops.assets import resolve_environment
        from mlops.assets.loading import load

        asset = resolve_environment(reference)
        entity = load(Path(asset.path), "environment", {})
    except MlopsError:
        note = (
            f"{reference}: not in the local store (a workspace or registry environment; "
            "`mlops environment create -f <its YAML>` registers it locally)"
        )
        return Spec(reference, notes=(note,), buildable=False)
    return from_entity(entity, f"azureml:{asset.name}:{asset.version}")


def cache_token(component: Any) -> str:
    """A cheap, stable text for a component's environment, to remember its specification by."""
    environment = getattr(component, "environment", None)
    if environment is None or isinstance(environment, str):
        return str(environment)
    return json.dumps(
        {
            "name": getattr(environment, "name", None),
            "version": getattr(environment, "version", None),
            "image": getattr(environment, "image", None),
            "conda_file": getattr(environment, "conda_file", None),
        },
        sort_keys=True,
        default=str,
    )
