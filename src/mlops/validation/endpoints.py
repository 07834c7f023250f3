"""Endpoint and deployment YAMLs loaded as plain data (mlops.plan.endpoints), through the plan
cache: a file that did not change since it last loaded cleanly, nor any YAML or conda file it
names, nor the overrides or versions, is read back without importing azure-ai-ml (1.4-2 s of
CPU per command). A new, changed or broken file goes through azure-ai-ml and fails exactly as it
would uncached.

A deployment's `--set model=azureml:<name>:<version>` (scripts/rollout.sh passes a new one at
each rollout) is not part of the key: azure-ai-ml keeps such a reference as `<name>:<version>`
whatever the file's own model was, so the file is loaded (or read back) without it and the
reference set on the result (tests/mlops/validation/test_endpoint_cache.py compares the two).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from mlops.azure.loaders import load_entity
from mlops.documents import read_document
from mlops.errors import ProblemsFound
from mlops.plan import cache
from mlops.plan.endpoints import (
    Deployment,
    Endpoint,
    InlineEnvironment,
    InlineModel,
    deployment_from_json,
    deployment_of,
    deployment_to_json,
    endpoint_from_json,
    endpoint_of,
    endpoint_to_json,
)
from mlops.validation.deployments import deployment_problems

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A registered model by name and version or @latest, as azure-ai-ml takes it without a check.
_MODEL_REFERENCE = re.compile(r"azureml:([A-Za-z0-9][A-Za-z0-9_.-]*(?::[A-Za-z0-9_.-]+|@latest))")


def load_endpoint(path: Path, kind: str, params_override: list[dict[str, Any]]) -> Endpoint:
    """An `online_endpoint` or `batch_endpoint` YAML, `--set` overrides applied.

    Raises:
        ProblemsFound: azure-ai-ml rejects the file (each problem names file, line and field).
    """
    return _through_cache(
        path, kind, params_override, endpoint_of, endpoint_to_json, endpoint_from_json
    )


def load_deployment(path: Path, kind: str, params_override: list[dict[str, Any]]) -> Deployment:
    """An `online_deployment` or `batch_deployment` YAML, `--set` overrides applied. An online
    deployment's code folder and scoring script are checked at each load (they are not YAML, so
    the cache does not see them change).

    Raises:
        ProblemsFound: azure-ai-ml rejects the file, or (online) its code folder or scoring
            script is missing.
    """
    path = Path(path)
    deployment = _with_model_reference(path, kind, params_override)
    if deployment is None:
        deployment = _deployment(path, kind, params_override)
    if kind == "online_deployment":
        problems = deployment_problems(deployment, path, read_document(path))
        if problems:
            raise ProblemsFound(problems)
    return deployment


def _deployment(path: Path, kind: str, params_override: list[dict[str, Any]]) -> Deployment:
    return _through_cache(
        path,
        kind,
        params_override,
        lambda entity: deployment_of(entity, kind),
        deployment_to_json,
        deployment_from_json,
        stale=_local_path_gone,
    )


def _through_cache(
    path: Path,
    kind: str,
    params_override: list[dict[str, Any]],
    convert: Callable[[Any], T],
    to_json: Callable[[T], Any],
    from_json: Callable[[Any], T],
    stale: Callable[[T], bool] = lambda _cached: False,
) -> T:
    """The file as `convert` makes it from azure-ai-ml's entity, read back from the plan cache
    when nothing it was made from changed (and `stale` does not reject it), else loaded and
    kept."""
    path = Path(path)
    key = cache.cache_key(path, params_override, kind)
    cached = cache.load_value(key, from_json)
    if cached is not None and not stale(cached):
        logger.debug("%s taken from the plan cache", path)
        return cached
    before = cache.inputs(path, params_override)
    value = convert(load_entity(path, kind, params_override))
    cache.store_value(key, to_json(value), path, params_override, before)
    return value


def _local_path_gone(deployment: Deployment) -> bool:
    """Whether a folder azure-ai-ml checks at load (an inline model's path, a Docker build
    context) is gone: the file is then loaded again, to fail as azure-ai-ml makes it."""
    base = Path(deployment.base_path)
    paths = []
    if isinstance(deployment.model, InlineModel) and deployment.model.path:
        paths.append(base / deployment.model.path)
    if isinstance(deployment.environment, InlineEnvironment) and deployment.environment.build:
        paths.append(base / deployment.environment.build)
    return not all(path.exists() for path in paths)


def _with_model_reference(
    path: Path, kind: str, params_override: list[dict[str, Any]]
) -> Deployment | None:
    """The deployment loaded without its one `model` override, a registered reference, then
    given it; None when the overrides hold no such reference (or the file does not load without
    it: the full load then says what is wrong, as azure-ai-ml does)."""
    touching = [
        index
        for index, override in enumerate(params_override)
        if any(key == "model" or key.startswith("model.") for key in override)
    ]
    if len(touching) != 1 or set(params_override[touching[0]]) != {"model"}:
        return None
    found = _MODEL_REFERENCE.fullmatch(str(params_override[touching[0]]["model"]))
    if found is None:
        return None
    rest = [override for index, override in enumerate(params_override) if index != touching[0]]
    try:
        return replace(_deployment(path, kind, rest), model=found.group(1))
    except ProblemsFound:
        return None
