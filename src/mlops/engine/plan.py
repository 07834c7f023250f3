"""The engine's plan: the typed plan of `mlops.plan`, built from a loaded job.

See `mlops.plan.convert` for how a pipeline is flattened into runnable nodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.plan.convert import COMMAND_NODE, plan_command_job, plan_pipeline
from mlops.plan.model import PATH_TYPES, DataPath, Literal, Node, Plan, Upstream

# The name node modules use for a node of the plan.
PlannedNode = Node

__all__ = [
    "COMMAND_NODE",
    "PATH_TYPES",
    "DataPath",
    "Literal",
    "Plan",
    "PlannedNode",
    "Upstream",
    "build_command_plan",
    "build_plan",
]


def build_plan(job: Any, file: Path) -> Plan:
    """Flatten a loaded pipeline job into runnable nodes (registered components looked up).

    Raises:
        ProblemsFound: A registered component cannot be found; nothing runs.
    """
    from mlops.validation.registered import registered_component_and_file

    return plan_pipeline(job, file, registered_component_and_file)


def build_command_plan(job: Any, file: Path) -> Plan:
    """A standalone `type: command` job as a plan of one node, `main`."""
    return plan_command_job(job, file)
