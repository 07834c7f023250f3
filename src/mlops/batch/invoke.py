"""`batch-endpoint invoke`: run a deployment on a folder of files as a local pipeline job.

The deployment becomes a one-node pipeline -- a parallel component with the deployment's
scoring script and settings -- written next to the endpoint and run by the engine, so the job
shows up in `mlops job list` and its output downloads as Azure's does (`--output-name score`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops import jobstore as store
from mlops.batch import state
from mlops.engine import create_job
from mlops.engine.names import new_job_name
from mlops.engine.status import with_live_status
from mlops.errors import MlopsError
from mlops.parallel.spec import FILE_NAME_ARGUMENT

SCHEMAS = "https://azuremlschemas.azureedge.net/latest"
# The tags that tie a scoring job to its endpoint and deployment (`list-jobs` reads them).
ENDPOINT_TAG, DEPLOYMENT_TAG = "azureml.batchEndpoint", "azureml.batchDeployment"
_JOB_FIELDS = ("name", "display_name", "experiment_name", "status", "start_time", "duration_s")
OUTPUT_NAME = "score"  # the output name Azure gives a batch job (`--output-name score`)
NODE_NAME = "batchscoring"
# The scoring script Azure generates for a no-code MLflow deployment, and the base image of the
# environment it builds from the model's conda.yaml.
MLFLOW_DRIVER = Path(__file__).parent / "serverside" / "mlflow_driver.py"
MLFLOW_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"


def invoke(
    endpoint: str,
    input_path: str,
    *,
    deployment_name: str | None = None,
    job_name: str | None = None,
    input_type: str = "uri_folder",
) -> dict[str, Any]:
    """Run a batch deployment on `input_path` to its end.

    Args:
        endpoint: The batch endpoint.
        input_path: A local folder (or file) of inputs, or an `azureml:` data asset reference.
        deployment_name: The deployment; the endpoint's default when None.
        job_name: The job's name; a new one when None.
        input_type: uri_folder or uri_file.

    Returns:
        The job, as `mlops job show` prints it.

    Raises:
        NotFoundError: No such endpoint, deployment or input.
        MlopsError: No deployment named and no default.
    """
    record = state.load_endpoint(endpoint)
    name = deployment_name or record["defaults"].get("deployment_name")
    if not name:
        raise MlopsError(
            f"batch endpoint {endpoint!r} has no default deployment. Fix: pass "
            "--deployment-name, or create one with `mlops batch-deployment create --set-default`."
        )
    deployment = state.load_deployment(endpoint, name)
    data = _input(input_path)
    job_name = job_name or new_job_name()
    folder = state.endpoint_folder(endpoint) / "invocations" / job_name
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "component.yml", component_document(deployment, input_type))
    _write(folder / "job.yml", job_document(deployment, data, input_type))
    return create_job(folder / "job.yml", name=job_name)


def _input(input_path: str) -> str:
    if input_path.startswith("azureml:"):
        return input_path
    path = Path(input_path).resolve()
    if not path.exists():
        raise MlopsError(f"--input {input_path} does not exist. Fix: give a folder of files.")
    return str(path)


def _write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def component_document(deployment: dict[str, Any], input_type: str) -> dict[str, Any]:
    """The parallel component that runs the deployment's scoring script with its settings."""
    settings = deployment["settings"]
    code, environment = deployment["code_configuration"], deployment.get("environment")
    if code is None:  # a no-code MLflow deployment: the driver and environment Azure generates
        code = {"code": str(MLFLOW_DRIVER.parent), "scoring_script": MLFLOW_DRIVER.name}
        environment = environment or _model_environment(deployment)
    task: dict[str, Any] = {
        "type": "run_function",
        "code": code["code"],
        "entry_script": code["scoring_script"],
    }
    if environment:
        task["environment"] = environment
    if settings["output_action"] == "append_row":
        task["program_arguments"] = f"{FILE_NAME_ARGUMENT} {settings['output_file_name']}"
        task["append_row_to"] = "${{outputs.score}}"
    return {
        "$schema": f"{SCHEMAS}/parallelComponent.schema.json",
        "type": "parallel",
        "name": "batch_deployment_scoring",
        "version": "1",
        "inputs": {"input_data": {"type": input_type}},
        "outputs": {OUTPUT_NAME: {"type": "uri_folder"}},
        "input_data": "${{inputs.input_data}}",
        "mini_batch_size": str(settings["mini_batch_size"]),
        "error_threshold": settings["error_threshold"],
        "logging_level": str(settings["logging_level"]).upper(),
        "retry_settings": settings["retry_settings"],
        "resources": {"instance_count": deployment["resources"]["instance_count"]},
        "max_concurrency_per_instance": settings["max_concurrency_per_instance"],
        "task": task,
    }


def _model_environment(deployment: dict[str, Any]) -> dict[str, str] | None:
    """A no-code deployment with no environment runs in one made from its MLflow model's
    conda.yaml, as Azure builds it; None when the model has none."""
    conda = sorted(Path(deployment["properties"]["AZUREML_MODEL_DIR"]).rglob("conda.yaml"))
    if not conda:
        return None
    return {"image": MLFLOW_IMAGE, "conda_file": str(conda[0])}


def job_document(deployment: dict[str, Any], data: str, input_type: str) -> dict[str, Any]:
    """A one-node pipeline job around the component, with AZUREML_MODEL_DIR set as Azure sets it."""
    endpoint, name = deployment["endpoint_name"], deployment["name"]
    variables = {str(k): str(v) for k, v in deployment["settings"]["environment_variables"].items()}
    variables["AZUREML_MODEL_DIR"] = deployment["properties"]["AZUREML_MODEL_DIR"]
    return {
        "$schema": f"{SCHEMAS}/pipelineJob.schema.json",
        "type": "pipeline",
        "display_name": f"{endpoint} {name}",
        "experiment_name": endpoint,
        "tags": {ENDPOINT_TAG: endpoint, DEPLOYMENT_TAG: name},
        "settings": {"default_compute": deployment.get("compute") or "azureml:cpu-cluster"},
        "inputs": {"input_data": {"type": input_type, "path": data}},
        "outputs": {OUTPUT_NAME: {"type": "uri_folder"}},
        "jobs": {
            NODE_NAME: {
                "type": "parallel",
                "component": "./component.yml",
                "inputs": {"input_data": "${{parent.inputs.input_data}}"},
                "outputs": {OUTPUT_NAME: "${{parent.outputs.score}}"},
                "environment_variables": variables,
            }
        },
    }


def deployment_jobs(endpoint: str, name: str | None = None) -> list[dict[str, Any]]:
    """The scoring jobs a deployment (every deployment of the endpoint when `name` is None)
    ran, newest first, as az ml's `batch-deployment list-jobs` and `batch-endpoint list-jobs`
    list them (the fields `job list` prints, and the job's tags).

    Raises:
        NotFoundError: No such endpoint or deployment.
    """
    if name is None:
        state.load_endpoint(endpoint)
    else:
        state.load_deployment(endpoint, name)
    jobs = []
    for record in store.all_records():
        tags = record.get("tags") or {}
        if tags.get(ENDPOINT_TAG) == endpoint and name in (None, tags.get(DEPLOYMENT_TAG)):
            live = with_live_status(record)
            jobs.append({**{key: live.get(key) for key in _JOB_FIELDS}, "tags": tags})
    return jobs
