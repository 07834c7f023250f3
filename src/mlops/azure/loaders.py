"""Each Azure ML file kind loaded with azure-ai-ml's own loader; its errors become Problems.

azure-ai-ml is imported inside the functions here: it costs 2-3 s, which commands that never
load a YAML (`mlops job list`, `mlops --help`) must not pay.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import yaml

from mlops.azure import package
from mlops.azure.kinds import (
    KINDS,
    LOCAL_NODE_TYPES,
    article,
    describe,
    kind_from_schema,
    runs_on_azure_only,
)
from mlops.azure.problems import exception_problem, first_line, schema_problems
from mlops.documents import YamlDocument, read_document
from mlops.errors import Problem, ProblemsFound

logger = logging.getLogger(__name__)

# Kind -> the name of azure-ai-ml's loader in azure.ai.ml.entities._load_functions (batch
# deployments pick theirs by `type:`, see _loader).
LOADERS = {
    "job": "load_job",
    "component": "load_component",
    "data": "load_data",
    "model": "load_model",
    "environment": "load_environment",
    "code": "load_code",
    "online_endpoint": "load_online_endpoint",
    "online_deployment": "load_online_deployment",
    "batch_endpoint": "load_batch_endpoint",
    "batch_deployment": "load_batch_deployment",
    "schedule": "load_schedule",
    "compute": "load_compute",
    "datastore": "load_datastore",
    "workspace": "load_workspace",
    "registry": "load_registry",
    "connection": "load_connection",
    "feature_store": "load_feature_store",
    "feature_set": "load_feature_set",
    "feature_store_entity": "load_feature_store_entity",
    "model_package": "load_model_package",
    "serverless_endpoint": "load_serverless_endpoint",
    "marketplace_subscription": "load_marketplace_subscription",
    "index": "load_index",
    "capability_host": "load_capability_host",
}

# A batch deployment's `type:` -> its own loader (azure-ai-ml's generic one predates them).
BATCH_DEPLOYMENT_LOADERS = {
    "model": "load_model_batch_deployment",
    "pipeline": "load_pipeline_component_batch_deployment",
}


def load_entity(
    path: Path,
    kind: str | None = None,
    params_override: list[dict[str, Any]] | None = None,
) -> Any:
    """Load `path` with the azure-ai-ml loader for its kind.

    Args:
        path: The YAML file.
        kind: One of `KINDS` the caller expects; None detects it from the file's `$schema`
            (or `type:`).
        params_override: az ml's `--set` / `--name` overrides, as azure-ai-ml takes them.

    Returns:
        The azure-ai-ml entity.

    Raises:
        ProblemsFound: The file is missing, not YAML, of an unknown kind or of another kind
            than expected, or azure-ai-ml rejects it; each problem names the file, line and field.
    """
    path = Path(path)
    document = read_document(path)
    found = kind_from_schema(document.data)
    if kind and found and found != kind:
        raise ProblemsFound([_wrong_kind(path, document, found, kind)])
    kind = kind or found
    if kind not in KINDS:
        raise ProblemsFound(
            [
                Problem(
                    str(path),
                    document.line("$schema"),
                    "$schema",
                    "cannot tell which Azure ML file this is",
                    "start the file with the $schema URL of its kind, e.g. "
                    "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
                )
            ]
        )
    return _load(path, kind, params_override or [], document)


def _wrong_kind(path: Path, document: YamlDocument, found: str, expected: str) -> Problem:
    line = document.line("$schema") or document.line("type")
    if expected == "job":
        return Problem(str(path), line, "$schema", runs_on_azure_only(found))
    return Problem(
        str(path),
        line,
        "$schema",
        f"this is {article(describe(found))} file, not {article(describe(expected))}",
        f"give {article(describe(expected))} YAML",
    )


def _load(path: Path, kind: str, params_override: list[dict[str, Any]], document: YamlDocument):
    package.enter()
    # azure-ai-ml's import costs 1-2 s: only a command that loads a YAML pays it.
    from azure.ai.ml.exceptions import MlException
    from marshmallow.exceptions import ValidationError

    quiet_azure_ai_ml()
    loader = _loader(kind, document.data)
    source, params_override = _without_removed(path, params_override, document)
    try:
        return loader(source=source, relative_origin=str(path), params_override=params_override)
    except ValidationError as error:
        raise ProblemsFound(schema_problems(path, str(error), document)) from None
    except MlException as error:
        raise ProblemsFound([exception_problem(path, str(error), document)]) from None
    except (FileNotFoundError, NotADirectoryError) as error:
        raise ProblemsFound([exception_problem(path, str(error), document)]) from None
    except Exception as error:
        # A loader that crashes on a file (an AttributeError deep in azure-ai-ml) is still
        # one problem of that file: `mlops validate` goes on with the others.
        logger.debug("azure-ai-ml's %s crashed on %s", LOADERS[kind], path, exc_info=True)
        message = f"azure-ai-ml cannot load this {describe(kind)}: {first_line(str(error))}"
        raise ProblemsFound([Problem(str(path), None, "file", message)]) from None


def _without_removed(
    path: Path, params_override: list[dict[str, Any]], document: YamlDocument
) -> tuple[Any, list[dict[str, Any]]]:
    """The source to load and the overrides left: a top-level field overridden with None
    (`--remove description`, see mlops.overrides) is left out of the document itself, since
    azure-ai-ml's schemas refuse a null where they accept a missing field."""
    removed = {
        key
        for override in params_override
        for key, value in override.items()
        if value is None and "." not in key
    }
    if not removed or not isinstance(document.data, dict):
        return path, params_override
    kept = {key: value for key, value in document.data.items() if key not in removed}
    rest = [
        {key: value for key, value in override.items() if key not in removed}
        for override in params_override
    ]
    return io.StringIO(yaml.safe_dump(kept, sort_keys=False)), [item for item in rest if item]


def _loader(kind: str, data: Any):
    package.enter()
    # azure-ai-ml's import costs 1-2 s: only a command that loads a YAML pays it.
    from azure.ai.ml.entities import _load_functions

    name = LOADERS[kind]
    if kind == "batch_deployment" and isinstance(data, dict):
        name = BATCH_DEPLOYMENT_LOADERS.get(str(data.get("type", "")), name)
    return getattr(_load_functions, name)


def quiet_azure_ai_ml() -> None:
    """Silence azure-ai-ml's "experimental class" notices, which are not for our users.

    Deciding whether to print each notice costs an `inspect.stack()` (measured: 0.18 s of a
    0.26 s `load_job`); with the notices silenced that decision is moot, so skip it. This
    replaces the private `azure.ai.ml._utils._experimental._should_skip_warning`
    (tests/mlops/azure checks it still exists and is what the notices consult).
    """
    logging.getLogger("azure.ai.ml").setLevel(logging.ERROR)
    package.enter()
    # azure-ai-ml's import costs 1-2 s: only a command that loads a YAML pays it.
    from azure.ai.ml._utils import _experimental

    _experimental._should_skip_warning = lambda: True


def azure_only(job: Any) -> str:
    """Why the local engine cannot run a loaded job, in one line; "" when it can.

    The job's own type (AutoML, Spark, fine-tuning...) or, in a pipeline, the first node of a
    type only Azure ML runs, named by its place (`jobs.<node>`).
    """
    refusal = runs_on_azure_only("job", getattr(job, "type", None))
    if refusal:
        return refusal
    for name, node in (getattr(job, "jobs", None) or {}).items():
        node_type = str(getattr(node, "type", "") or "")
        if getattr(getattr(node, "component", None), "type", None) == "promptflow_parallel":
            return (
                f"jobs.{name}: a prompt flow node runs on Azure ML only (az ml job create); "
                "the local engine runs command, parallel, sweep and pipeline nodes"
            )
        if node_type not in LOCAL_NODE_TYPES:
            what = article(describe("job", node_type).removesuffix(" job"))
            return (
                f"jobs.{name}: {what} node runs on "
                "Azure ML only (az ml job create); the local engine runs command, parallel, "
                "sweep and pipeline nodes"
            )
    return ""


def entity_errors(entity: Any) -> dict[str, str]:
    """What azure-ai-ml's own validation of a loaded entity finds, by dotted field.

    Pipeline and command jobs carry a private `_validate()` (unbound required inputs, no
    compute); entities without one (a sweep or AutoML job) have nothing more to report.
    """
    validate = getattr(entity, "_validate", None)
    if validate is None:
        return {}
    return dict(validate().error_messages or {})
