"""`--set key=value` as az ml takes it, turned into azure-ai-ml's params_override."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlops.errors import UsageError


def params_override(set_values: Sequence[str]) -> list[dict[str, Any]]:
    """`["inputs.alpha=0.3", "tags.build_id=42"]` -> `[{"inputs.alpha": "0.3"}, ...]`.

    Values stay strings, as az ml passes them; azure-ai-ml and the checks convert them by the
    field's type.

    Raises:
        UsageError: An item is not `key=value`.
    """
    overrides = []
    for item in set_values:
        key, separator, value = item.partition("=")
        if not separator or not key.strip():
            raise UsageError(
                f"--set {item!r} is not key=value: write it as az ml does, e.g. "
                "--set inputs.alpha=0.3 settings.force_rerun=true tags.build_id=42"
            )
        overrides.append({key.strip(): value})
    return overrides
