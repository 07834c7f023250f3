"""What a registered model version carries: pure functions over the gate's decision and run tags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# BYOC: your project's name, tagged `area` on every model version.
PROJECT_AREA = "diabetes_regression"

# The pipeline passes model_name explicitly; this default serves runs by hand.
DEFAULT_MODEL_NAME = "diabetes_regression_model"

TRAINING_RUN_TAG = "training_run_id"

# Pipeline-job tags copied onto the model version; CI sets build_id/build_uri with
# `--set tags.build_id=...`. Azure ML and MLflow record the commit under their own names.
_COPIED_TAGS = ("build_id", "build_uri", "git_commit")
_COMMIT_TAGS = ("git_commit", "mlflow.source.git.commit", "azureml.git.commit")


def already_registered(
    versions: Iterable[tuple[str, Mapping[str, str]]], training_run_id: str
) -> str | None:
    """The version that already holds the model of `training_run_id`, if any.

    Args:
        versions: (version, tags) of every version of the model name.
        training_run_id: The MLflow run id that trained the model to register.

    Returns:
        That version, or None.
    """
    for version, tags in versions:
        if tags.get(TRAINING_RUN_TAG) == training_run_id:
            return version
    return None


def version_tags(
    decision: Mapping[str, Any],
    training_run_id: str,
    register_run_id: str,
    pipeline_run_id: str | None,
    job_tags: Mapping[str, str],
    data_hash: str,
) -> dict[str, str]:
    """The tags of a new model version.

    Args:
        decision: The gate's decision (decision.json).
        training_run_id: The run that trained the model.
        register_run_id: The run of the register step.
        pipeline_run_id: The pipeline job's MLflow run (on Azure ML, the job name), if any.
        job_tags: The pipeline job's tags, then the step run's own, later ones winning.
        data_hash: The content hash of the training data.

    Returns:
        Tag name -> value, all strings as MLflow stores them.
    """
    tags = {name: f"{value:.6g}" for name, value in decision["new_metrics"].items()}
    tags.update(
        {
            "area": PROJECT_AREA,
            "gate_metric": str(decision["metric"]),
            TRAINING_RUN_TAG: training_run_id,
            "run_id": register_run_id,
            "data_hash": data_hash,
        }
    )
    if pipeline_run_id:
        tags["pipeline_run_id"] = pipeline_run_id
    for name in _COPIED_TAGS:
        if job_tags.get(name):
            tags[name] = str(job_tags[name])
    commit = next((job_tags[name] for name in _COMMIT_TAGS if job_tags.get(name)), None)
    if commit:
        tags["git_commit"] = str(commit)
    return tags
