"""A job's plan: from the plan cache when nothing it was made from changed (no azure-ai-ml
import), else loaded and checked by `mlops.validation` and kept for the next run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mlops.errors import MlopsError, ProblemsFound
from mlops.plan import cache
from mlops.plan.model import Plan

logger = logging.getLogger(__name__)


def plan_job(path: Path, overrides: list[dict[str, Any]]) -> Plan:
    """The plan of the job in `path`, with `--set` overrides applied.

    Raises:
        ProblemsFound: The YAML is wrong (every problem found); nothing runs.
        MlopsError: The job is neither a pipeline nor a command job.
    """
    from mlops.validation.registered import registered_component_file

    key = cache.cache_key(path, overrides)
    plan = cache.load(key, registered_component_file)
    if plan is not None:
        logger.debug("Plan of %s taken from the plan cache", path)
        return plan
    plan, registered = _fresh_plan(path, overrides)
    cache.store(key, plan, path, registered)
    return plan


def _fresh_plan(path: Path, overrides: list[dict[str, Any]]) -> tuple[Plan, dict[str, Path]]:
    from mlops.plan.convert import plan_command_job, plan_pipeline
    from mlops.validation import check_job
    from mlops.validation.registered import registered_component, registered_component_file

    job, problems = check_job(path, overrides)
    if problems:
        raise ProblemsFound(problems)
    if job.type not in {"pipeline", "command"}:
        raise MlopsError(
            f"{path}: type {job.type!r}: the local engine runs pipeline and command jobs."
        )
    registered: dict[str, Path] = {}

    def lookup(reference: str) -> Any:
        registered[reference] = registered_component_file(reference)
        return registered_component(reference)

    if job.type == "pipeline":
        return plan_pipeline(job, path, lookup), registered
    return plan_command_job(job, path), registered
