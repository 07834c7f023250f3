"""The packages a node's environment lists that this interpreter lacks (a warning, not a stop).

Read from the plan and the local asset store's YAML, without azure-ai-ml: a registered
environment is resolved each time a job runs, as its version can move.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from mlops.errors import MlopsError
from mlops.plan.model import Node

logger = logging.getLogger(__name__)


def node_environment_packages(node: Node) -> list[str]:
    """The packages `node`'s environment lists that this interpreter lacks (empty if unknown)."""
    from mlops.assets import missing_packages

    conda = node.environment_conda
    if conda is None and node.environment_reference:
        conda = _registered_conda(node.environment_reference)
    if conda is None:
        return []
    return missing_packages(SimpleNamespace(conda_file=conda))


def _registered_conda(reference: str) -> dict[str, Any] | None:
    from mlops.assets import resolve_environment

    text = reference if reference.startswith("azureml:") else f"azureml:{reference}"
    try:
        path = Path(resolve_environment(text).path)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        conda = data.get("conda_file") if isinstance(data, dict) else None
        if isinstance(conda, str):
            conda = yaml.safe_load((path.parent / conda).read_text(encoding="utf-8"))
    except (MlopsError, OSError, yaml.YAMLError):
        logger.info(
            "Environment %s is not in the local store: nodes run in this interpreter.", reference
        )
        return None
    return conda if isinstance(conda, dict) else None
