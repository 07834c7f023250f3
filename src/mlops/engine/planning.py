"""A job's plan: from the plan cache when nothing it was made from changed (no azure-ai-ml
import), else made by `mlops.validation.plan_job` (load, check, plan) and kept for next time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mlops.plan import cache
from mlops.plan.model import Plan
from mlops.validation import plan_with_warnings
from mlops.validation.registered import registered_component_file

logger = logging.getLogger(__name__)


def plan_job(path: Path, overrides: list[dict[str, Any]]) -> Plan:
    """The plan of the job in `path`, with `--set` overrides applied.

    Raises:
        ProblemsFound: The YAML is wrong (every problem found); nothing runs.
        MlopsError: The job is neither a pipeline nor a command job.
    """
    key = cache.cache_key(path, overrides)
    plan = cache.load(key, registered_component_file)
    if plan is not None:
        logger.debug("Plan of %s taken from the plan cache", path)
        return plan
    before = cache.inputs(path, overrides)  # a file saved while planning is not cached as seen
    plan, warnings = _fresh_plan(path, overrides)
    if not warnings:
        # A plan with warnings is made afresh each run, so each run shows them.
        cache.store(key, plan, path, overrides, before)
    return plan


def _fresh_plan(path: Path, overrides: list[dict[str, Any]]) -> tuple[Plan, list[Any]]:
    return plan_with_warnings(path, overrides)
