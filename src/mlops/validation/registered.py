"""Registered components (`azureml:name:version`, `name@latest`) from the local asset store:
the one lookup both validation and the engine use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.assets import catalog, resolve_component
from mlops.assets.references import parse
from mlops.azure.loaders import load_entity


def component_reference(reference: str) -> str:
    """The reference with its `azureml:` prefix (azure-ai-ml drops it when loading)."""
    return reference if reference.startswith("azureml:") else f"azureml:{reference}"


def registered_component_file(reference: str) -> Path:
    """The stored YAML of the component version `reference` names.

    Raises:
        NotFoundError: No such component or version (the versions that exist are listed).
    """
    return Path(resolve_component(component_reference(reference)).path)


def registered_component(reference: str) -> Any:
    """The azure-ai-ml entity of a registered component.

    Raises:
        MlopsError: Not in the local store.
        ProblemsFound: Its stored YAML does not load.
    """
    return load_entity(registered_component_file(reference), "component")


def registered_component_and_file(reference: str) -> tuple[Any, Path]:
    """The entity of a registered component and its stored YAML (what a plan records).

    Raises:
        MlopsError: Not in the local store.
        ProblemsFound: Its stored YAML does not load.
    """
    path = registered_component_file(reference)
    return load_entity(path, "component"), path


def store_knows(reference: str) -> bool:
    """Whether the local store has any version of the component's name.

    A name it has never seen may well exist in the Azure workspace: validation accepts it.
    """
    return bool(
        catalog.versions("component", parse(component_reference(reference), "component").name)
    )
