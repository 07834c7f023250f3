"""Which Azure ML file a YAML is, from its `$schema` URL or, without one, its `type:` and keys.

Pure data: no azure-ai-ml import, so the CLI and `mlops validate` can sort files cheaply.
"""

from __future__ import annotations

from typing import Any

# Every kind azure-ai-ml has a loader for (see loaders.LOADERS), as this project names them.
KINDS = (
    "job",
    "component",
    "data",
    "model",
    "environment",
    "code",
    "online_endpoint",
    "online_deployment",
    "batch_endpoint",
    "batch_deployment",
    "schedule",
    "compute",
    "datastore",
    "workspace",
    "registry",
    "connection",
    "feature_store",
    "feature_set",
    "feature_store_entity",
    "model_package",
    "serverless_endpoint",
    "marketplace_subscription",
    "index",
    "capability_host",
)

# What each kind is called in messages, and the az ml command that creates it on Azure.
KIND_NAMES = {
    "job": ("job", "az ml job create"),
    "component": ("component", "az ml component create"),
    "data": ("data asset", "az ml data create"),
    "model": ("model", "az ml model create"),
    "environment": ("environment", "az ml environment create"),
    "code": ("code asset", "az ml component create (as a component's code)"),
    "online_endpoint": ("online endpoint", "az ml online-endpoint create"),
    "online_deployment": ("online deployment", "az ml online-deployment create"),
    "batch_endpoint": ("batch endpoint", "az ml batch-endpoint create"),
    "batch_deployment": ("batch deployment", "az ml batch-deployment create"),
    "schedule": ("schedule", "az ml schedule create"),
    "compute": ("compute", "az ml compute create"),
    "datastore": ("datastore", "az ml datastore create"),
    "workspace": ("workspace", "az ml workspace create"),
    "registry": ("registry", "az ml registry create"),
    "connection": ("connection", "az ml connection create"),
    "feature_store": ("feature store", "az ml feature-store create"),
    "feature_set": ("feature set", "az ml feature-set create"),
    "feature_store_entity": ("feature store entity", "az ml feature-store-entity create"),
    "model_package": ("model package", "az ml model package"),
    "serverless_endpoint": ("serverless endpoint", "az ml serverless-endpoint create"),
    "marketplace_subscription": (
        "marketplace subscription",
        "az ml marketplace-subscription create",
    ),
    "index": ("index", "az ml index create"),
    "capability_host": ("capability host", "az ml capability-host create"),
}

# Kinds that have a local `mlops` verb of their own (the same verb as az ml's).
LOCAL_KINDS = frozenset(
    {
        "component",
        "data",
        "model",
        "environment",
        "online_endpoint",
        "online_deployment",
        "batch_endpoint",
        "batch_deployment",
    }
)

# Job types the local engine runs; every other job type runs only on Azure ML.
LOCAL_JOB_TYPES = frozenset({"command", "pipeline"})

# Pipeline node types the local engine runs (a pipeline node is a component's type; a sweep
# node runs its trial component). A standalone sweep job is run by mlops.engine.sweeps before
# this check.
LOCAL_NODE_TYPES = frozenset({"command", "parallel", "pipeline", "sweep"})

# Job `type:` values as azure-ai-ml loads them, named for messages.
JOB_TYPE_NAMES = {
    "command": "command job",
    "pipeline": "pipeline job",
    "sweep": "sweep job",
    "parallel": "parallel job",
    "automl": "AutoML job",
    "spark": "Spark job",
    "finetuning": "fine-tuning job",
    "distillation": "distillation job",
    "data_transfer": "data transfer job",
    "import": "import job",
}

# Input and output types whose value is a path (a file, folder or model), not a literal.
PATH_TYPES = frozenset(
    {"uri_folder", "uri_file", "mlflow_model", "custom_model", "mltable", "triton_model"}
)

# `$schema` file name (lower case, without `.schema.json`) -> kind.
_SCHEMA_KINDS = {
    "commandjob": "job",
    "pipelinejob": "job",
    "sweepjob": "job",
    "paralleljob": "job",
    "automljob": "job",
    "sparkjob": "job",
    "finetuningjob": "job",
    "distillationjob": "job",
    "datatransferjob": "job",
    "commandcomponent": "component",
    "parallelcomponent": "component",
    "pipelinecomponent": "component",
    "sparkcomponent": "component",
    "datatransfercomponent": "component",
    "data": "data",
    "model": "model",
    "environment": "environment",
    "code": "code",
    "managedonlineendpoint": "online_endpoint",
    "kubernetesonlineendpoint": "online_endpoint",
    "managedonlinedeployment": "online_deployment",
    "kubernetesonlinedeployment": "online_deployment",
    "batchendpoint": "batch_endpoint",
    "batchdeployment": "batch_deployment",
    "modelbatchdeployment": "batch_deployment",
    "pipelinecomponentbatchdeployment": "batch_deployment",
    "schedule": "schedule",
    "amlcompute": "compute",
    "computeinstance": "compute",
    "kubernetescompute": "compute",
    "vmcompute": "compute",
    "virtualmachinecompute": "compute",
    "synapsesparkcompute": "compute",
    "serverlesscompute": "compute",
    "azureblob": "datastore",
    "azurefile": "datastore",
    "azuredatalakegen1": "datastore",
    "azuredatalakegen2": "datastore",
    "onelake": "datastore",
    "workspace": "workspace",
    "registry": "registry",
    "workspaceconnection": "connection",
    "connection": "connection",
    "featurestore": "feature_store",
    "featureset": "feature_set",
    "featurestoreentity": "feature_store_entity",
    "modelversionpackage": "model_package",
    "modelpackage": "model_package",
    "serverlessendpoint": "serverless_endpoint",
    "marketplacesubscription": "marketplace_subscription",
    "index": "index",
    "capabilityhost": "capability_host",
}

# `type:` values that name one kind whatever the other keys are.
_TYPE_KINDS = {
    "automl": "job",
    "sweep": "job",
    "finetuning": "job",
    "distillation": "job",
    "azure_blob": "datastore",
    "azure_file": "datastore",
    "azure_data_lake_gen1": "datastore",
    "azure_data_lake_gen2": "datastore",
    "one_lake": "datastore",
    "amlcompute": "compute",
    "computeinstance": "compute",
    "kubernetes": "compute",
    "virtualmachine": "compute",
    "synapsespark": "compute",
}

# Files that sit beside Azure ML YAML but are not Azure ML entities: nothing to load.
_NOT_AZURE_ML = frozenset({"mltable", "featuresetspec"})


def schema_name(document: Any) -> str:
    """The lower-case name in a document's `$schema` URL (`.../pipelineJob.schema.json` ->
    `pipelinejob`), or "" without one."""
    if not isinstance(document, dict):
        return ""
    schema = str(document.get("$schema", "") or "")
    return schema.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".schema").lower()


def kind_from_schema(document: Any) -> str | None:
    """The kind a document's `$schema` names, else the kind its `type:` and keys show.

    Args:
        document: The parsed YAML.

    Returns:
        One of KINDS, or None when the file is not a recognisable Azure ML file.
    """
    if not isinstance(document, dict):
        return None
    name = schema_name(document)
    if name in _SCHEMA_KINDS:
        return _SCHEMA_KINDS[name]
    if name:
        return None
    return _kind_from_keys(document)


def _kind_from_keys(document: dict[str, Any]) -> str | None:
    """Without `$schema`: the kind azure-ai-ml would load the document as, from its keys."""
    kind = str(document.get("type", "") or "").lower()
    if kind in _TYPE_KINDS:
        return _TYPE_KINDS[kind]
    if "endpoint_name" in document:
        online = kind in {"managed", "kubernetes"} or "instance_type" in document
        return "online_deployment" if online else "batch_deployment"
    if "trigger" in document and ("create_job" in document or "create_monitor" in document):
        return "schedule"
    if kind in {"command", "pipeline", "parallel", "spark"}:
        # A job and a component share these types: only keys of one of them tell them apart.
        job_keys = {"component", "compute", "experiment_name", "settings", "resources"}
        if job_keys & set(document):
            return "job"
        return "component" if "version" in document else None
    if kind in {"uri_file", "uri_folder", "mltable"} and "path" in document:
        return "data"
    if kind in {"custom_model", "mlflow_model", "triton_model"} and "path" in document:
        return "model"
    if "auth_mode" in document:
        return "online_endpoint"
    return None


def is_not_azure_ml(document: Any) -> bool:
    """An MLTable, feature set specification or prompt flow file, which lives beside Azure ML
    YAML but is not one."""
    if not isinstance(document, dict):
        return False
    if "$schema" not in document and {"features", "index_columns"} <= set(document):
        # A feature set's FeatureSetSpec.yaml (its `specification.path`) carries no $schema.
        return True
    # Prompt flow's own schemas (flows, runs, connections) live under `/promptflow/`.
    return schema_name(document) in _NOT_AZURE_ML or "/promptflow/" in str(
        document.get("$schema", "")
    )


def is_conda_file(document: Any) -> bool:
    """A conda environment file (referenced by an environment YAML), not an Azure ML file."""
    return (
        isinstance(document, dict)
        and "$schema" not in document
        and "dependencies" in document
        and "type" not in document
    )


def describe(kind: str, job_type: str | None = None) -> str:
    """A kind as messages name it: "schedule", "AutoML job"."""
    if kind == "job" and job_type:
        return JOB_TYPE_NAMES.get(job_type, f"{job_type} job")
    return KIND_NAMES.get(kind, (kind, ""))[0]


def article(name: str) -> str:
    """`name` with its indefinite article: "an AutoML job", "a schedule"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def runs_on_azure_only(kind: str, job_type: str | None = None) -> str:
    """Why `mlops job create` does not run this file, in one line; "" when it does."""
    if kind == "job" and (job_type or "command") in LOCAL_JOB_TYPES:
        return ""
    name = describe(kind, job_type)
    if kind == "job":
        return (
            f"{article(name)} runs on Azure ML only (az ml job create); the local engine runs "
            "command and pipeline jobs"
        )
    command = KIND_NAMES.get(kind, (kind, f"az ml {kind} create"))[1]
    if kind in LOCAL_KINDS:
        local = command.replace("az ml", "mlops", 1)
        return f"this is {article(name)} file, not a job: create it with `{local} -f <file>`"
    return f"this is {article(name)} file, not a job: it is created on Azure ML ({command})"
