"""What kind of Azure ML file a YAML is, from its `$schema` (or the kind the caller expects)."""

from __future__ import annotations

from typing import Any

KINDS = (
    "job",
    "component",
    "data",
    "model",
    "environment",
    "online_endpoint",
    "online_deployment",
    "batch_endpoint",
    "batch_deployment",
)

_SCHEMA_KINDS = {
    "pipelinejob": "job",
    "commandjob": "job",
    "sweepjob": "job",
    "commandcomponent": "component",
    "parallelcomponent": "component",
    "pipelinecomponent": "component",
    "data": "data",
    "model": "model",
    "environment": "environment",
    "managedonlineendpoint": "online_endpoint",
    "kubernetesonlineendpoint": "online_endpoint",
    "managedonlinedeployment": "online_deployment",
    "kubernetesonlinedeployment": "online_deployment",
    "batchendpoint": "batch_endpoint",
    "batchdeployment": "batch_deployment",
    "modelbatchdeployment": "batch_deployment",
    "pipelinecomponentbatchdeployment": "batch_deployment",
}


def kind_from_schema(document: Any) -> str | None:
    """The kind named by a document's `$schema` URL (`.../pipelineJob.schema.json` -> job)."""
    if not isinstance(document, dict):
        return None
    schema = str(document.get("$schema", ""))
    name = schema.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".schema").lower()
    return _SCHEMA_KINDS.get(name)


def is_conda_file(document: Any) -> bool:
    """A conda environment file (referenced by an environment YAML), not an Azure ML file."""
    return (
        isinstance(document, dict)
        and "$schema" not in document
        and "dependencies" in document
        and "type" not in document
    )
