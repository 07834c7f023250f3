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
from dataclasses import replace
from pathlib import Path
from typing import Any

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

# A registered model by name and version or @latest, as azure-ai-ml takes it without a check.
_MODEL_REFERENCE = re.compile(r"azureml:([A-Za-z0-9][A-Za-z0-9_.-]*(?::[A-Za-z0-9_.-]+|@latest))")


def load_endpoint(path: Path, kind: str, params_override: list[dict[str, Any]]) -> Endpoint:
    """An `online_endpoint` or `batch_endpoint` YAML, `--set` overrides applied.

    Raises:
        ProblemsFound: azure-ai-ml rejects the file (each problem names file, line and field).
    """
    path = Path(path)
    key = cache.cache_key(path, params_override, kind)
    endpoint = cache.load_value(key, endpoint_from_json)
    if endpoint is None:
        before = cache.inputs(path, params_override)
        endpoint = endpoint_of(load_entity(path, kind, params_override))
        cache.store_value(key, endpoint_to_json(endpoint), path, params_override, before)
    else:
        logger.debug("%s taken from the plan cache", path)
    return endpoint


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
    key = cache.cache_key(path, params_override, kind)
    deployment = cache.load_value(key, deployment_from_json)
    if deployment is None or _local_path_gone(deployment):
        before = cache.inputs(path, params_override)
        deployment = deployment_of(load_entity(path, kind, params_override), kind)
        cache.store_value(key, deployment_to_json(deployment), path, params_override, before)
    else:
        logger.debug("%s taken from the plan cache", path)
    return deployment


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
