"""Endpoint and deployment YAMLs loaded as plain data (mlops.plan.endpoints), through the plan
cache: a file that did not change since it last loaded cleanly, nor any YAML it names, nor the
overrides or versions, is read back without importing azure-ai-ml (1.4-2 s of CPU per command).
A new, changed or broken file goes through azure-ai-ml and fails exactly as it would uncached.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mlops.azure.loaders import load_entity
from mlops.documents import read_document
from mlops.errors import ProblemsFound
from mlops.plan import cache
from mlops.plan.endpoints import (
    Deployment,
    Endpoint,
    deployment_from_json,
    deployment_of,
    deployment_to_json,
    endpoint_from_json,
    endpoint_of,
    endpoint_to_json,
)
from mlops.validation.deployments import deployment_problems

logger = logging.getLogger(__name__)


def load_endpoint(path: Path, kind: str, params_override: list[dict[str, Any]]) -> Endpoint:
    """An `online_endpoint` or `batch_endpoint` YAML, `--set` overrides applied.

    Raises:
        ProblemsFound: azure-ai-ml rejects the file (each problem names file, line and field).
    """
    path = Path(path)
    key = cache.cache_key(path, params_override, kind)
    endpoint = cache.load_value(key, endpoint_from_json)
    if endpoint is None:
        endpoint = endpoint_of(load_entity(path, kind, params_override))
        cache.store_value(key, endpoint_to_json(endpoint), path, params_override)
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
    key = cache.cache_key(path, params_override, kind)
    deployment = cache.load_value(key, deployment_from_json)
    if deployment is None:
        deployment = deployment_of(load_entity(path, kind, params_override), kind)
        cached = False
    else:
        logger.debug("%s taken from the plan cache", path)
        cached = True
    if kind == "online_deployment":
        problems = deployment_problems(deployment, path, read_document(path))
        if problems:
            raise ProblemsFound(problems)
    if not cached:
        cache.store_value(key, deployment_to_json(deployment), path, params_override)
    return deployment
