"""The engine's names for the typed plan of `mlops.plan` (made by `mlops.validation.plan_job`,
cached by `engine.planning`)."""

from __future__ import annotations

from mlops.plan.convert import COMMAND_NODE
from mlops.plan.model import PATH_TYPES, DataPath, Literal, Node, Plan, Upstream

# The name the node modules use for a node of the plan.
PlannedNode = Node

__all__ = ["COMMAND_NODE", "PATH_TYPES", "DataPath", "Literal", "Plan", "PlannedNode", "Upstream"]
