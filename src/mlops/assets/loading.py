"""Load asset YAML through the azure-ai-ml adapter (azure-ai-ml is the schema authority)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.azure.loaders import load_entity
from mlops.overrides import NO_OVERRIDES, Overrides, for_file


def load(
    file: Path, kind: str, overrides: dict[str, Any], updates: Overrides = NO_OVERRIDES
) -> Any:
    """Load `file` as an azure-ai-ml entity of `kind`, with az ml's `--set` and `--name`-style
    overrides (the flags win over `--set`, as in az ml).

    Args:
        file: The YAML file.
        kind: "data", "model", "environment" or "component".
        overrides: Field -> value given on the command line; None values are left out.
        updates: The command's `--set` items.

    Returns:
        The entity.

    Raises:
        ProblemsFound: The file is missing or azure-ai-ml rejects it.
    """
    params = for_file(Path(file), updates)
    params += [{key: value} for key, value in overrides.items() if value is not None]
    return load_entity(Path(file), kind, params_override=params or None)
