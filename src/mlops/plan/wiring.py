"""How one level of a pipeline is wired, as plain data: each node's declared ports and the
values bound to them (bindings, literals, data), before nested pipelines are flattened.

`plan.convert.node_wiring` makes it from azure-ai-ml's entities. Validation checks the
bindings on it and the planner resolves them from it, so a node's inputs and its
component's declarations are read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops.plan.model import InputSpec


@dataclass(frozen=True)
class GivenData:
    """A data or model input given on a node (`path:`, `type:`, `mode:` as written)."""

    path: str | None
    type: str | None
    mode: str | None


@dataclass(frozen=True)
class Ports:
    """What a node's component (or a sweep node's trial) declares."""

    type: str | None
    inputs: dict[str, InputSpec]
    # Output name -> its declared type (None when the declaration has none).
    outputs: dict[str, str | None]


@dataclass(frozen=True)
class Wiring:
    """One node of a pipeline level: its ports and what is bound to them.

    Inputs hold a `${{...}}` binding or a literal as written, or `GivenData`; None when the
    node names the input without a value. Outputs hold their bindings as written.
    """

    ports: Ports
    inputs: dict[str, Any]
    outputs: dict[str, Any]
