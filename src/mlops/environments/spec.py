"""An environment's specification: what its virtualenv holds, read from its YAML.

A conda file gives the pip packages, the conda packages with a PyPI twin and `python=`. An
image alone, a Docker build context, or a registry or workspace reference the local store does
not hold gives an empty specification with a note: such an environment is accepted, never a
reason to stop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from mlops.assets import resolve_environment
from mlops.assets.loading import load
from mlops.assets.packages import conda_requirements
from mlops.errors import MlopsError
from mlops.plan.model import Node

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


@dataclass(frozen=True)
class Wanted:
    """The environment a node or deployment names, as plain data.

    Attributes:
        reference: A registered environment (`azureml:name:version`, `azureml:name@latest`),
            looked up in the local store when it is prepared, as its version can move.
        label: How to name an inline environment (`inline`, or `azureml:<name>:<version>`).
        conda_file: An inline environment's conda file, parsed.
        image: An inline environment's image (not used locally: there is no Docker).
        build: Whether an inline environment is a Docker build context.
    """

    reference: str | None = None
    label: str = "inline"
    conda_file: dict[str, Any] | None = None
    image: str | None = None
    build: bool = False


def of_node(node: Node) -> Wanted | None:
    """The environment of a planned node, from the plan's own fields; None when it has none.

    The plan keeps an inline environment's conda file only: its image does not run locally.
    """
    if node.environment_reference is not None:
        return Wanted(reference=node.environment_reference)
    if node.environment is None:
        return None
    return Wanted(conda_file=node.environment_conda)


def of_entity(environment: Any) -> Wanted | None:
    """The environment an azure-ai-ml deployment names (a reference, or an Environment entity
    read by attribute), as plain data; None when it names none."""
    if environment is None:
        return None
    if isinstance(environment, str):
        return Wanted(reference=environment)
    return Wanted(
        label=_label(environment),
        conda_file=_conda_of(environment),
        image=getattr(environment, "image", None),
        build=getattr(environment, "build", None) is not None,
    )


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
    wanted = of_entity(environment) or Wanted()
    return _inline_spec(replace(wanted, label=label) if label else wanted)


def _conda_of(environment: Any) -> dict[str, Any] | None:
    conda_file = getattr(environment, "conda_file", None)
    if isinstance(conda_file, str):
        # A path left unread (an entity built in code): read it as azure-ai-ml would.
        base = Path(getattr(environment, "base_path", None) or ".")
        conda_file = yaml.safe_load((base / conda_file).read_text(encoding="utf-8"))
    return conda_file if isinstance(conda_file, dict) else None


def _inline_spec(wanted: Wanted) -> Spec:
    label, conda_file, image = wanted.label, wanted.conda_file, wanted.image
    if conda_file is None:
        what = (
            f"image {image}"
            if image
            else "a Docker build context"
            if wanted.build
            else "no conda file"
        )
        return Spec(label, notes=(f"{label}: {what}, nothing to build locally",), buildable=False)
    requirements = conda_requirements(conda_file)
    notes = []
    if image:
        notes.append(
            f"{label}: image {image} is not used locally (no Docker): "
            "only the conda file's packages are installed"
        )
    if requirements.conda_only:
        notes.append(
            f"{label}: conda-only packages not installed locally: "
            f"{', '.join(requirements.conda_only)}"
        )
    if requirements.azure_only:
        notes.append(
            f"{label}: Azure-only packages left out locally: {', '.join(requirements.azure_only)}"
        )
    return Spec(
        label,
        requirements.python,
        requirements.requirements,
        requirements.options,
        tuple(notes),
    )


def of_wanted(wanted: Wanted | None) -> Spec | None:
    """The specification of the environment a node or deployment names; None when it names none.

    A reference (`azureml:name:version`, `azureml:name@latest`) is looked up in the local
    store; one the store does not hold gives an unbuildable specification with a note.
    """
    if wanted is None:
        return None
    if wanted.reference is None:
        return _inline_spec(wanted)
    reference = wanted.reference
    reference = reference if reference.startswith("azureml:") else f"azureml:{reference}"
    try:
        asset = resolve_environment(reference)
        entity = load(Path(asset.path), "environment", {})
    except MlopsError:
        note = (
            f"{reference}: not in the local store (a workspace or registry environment; "
            "`mlops environment create -f <its YAML>` registers it locally)"
        )
        return Spec(reference, notes=(note,), buildable=False)
    return from_entity(entity, f"azureml:{asset.name}:{asset.version}")


def cache_token(wanted: Wanted | None) -> str:
    """A cheap, stable text for an environment, to remember its specification by."""
    if wanted is None:
        return "None"
    if wanted.reference is not None:
        return wanted.reference
    return json.dumps(
        {
            "label": wanted.label,
            "image": wanted.image,
            "build": wanted.build,
            "conda_file": wanted.conda_file,
        },
        sort_keys=True,
        default=str,
    )
