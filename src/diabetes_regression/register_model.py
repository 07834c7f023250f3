"""Entry module of the register_model component: register the model when the gate said so.

Goes through MLflow's registry API only, so the same code registers to the local store and,
with azureml-mlflow, to an Azure ML workspace. Writes registration.json for CI/CD.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from diabetes_regression.data import content_hash
from diabetes_regression.registration import (
    DEFAULT_MODEL_NAME,
    TRAINING_RUN_TAG,
    already_registered,
    version_tags,
)
from diabetes_regression.registry import model_versions

logger = logging.getLogger(__name__)

REGISTRATION_FILE = "registration.json"


def build_parser() -> argparse.ArgumentParser:
    """The component's command line; flag names are its input and output names."""
    parser = argparse.ArgumentParser(
        prog="python -m diabetes_regression.register_model", description=__doc__
    )
    parser.add_argument(
        "--model", type=Path, required=True, help="the MLflow model folder to register"
    )
    parser.add_argument("--evaluation", type=Path, required=True, help="the gate's output folder")
    parser.add_argument(
        "--training_data", type=Path, required=True, help="the data the model was trained on"
    )
    parser.add_argument(
        "--model_name", default=DEFAULT_MODEL_NAME, help="the registered model name"
    )
    parser.add_argument(
        "--registration", type=Path, required=True, help="output folder: registration.json"
    )
    return parser


def _read_decision(evaluation: Path) -> dict[str, Any]:
    path = evaluation / "decision.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"ERROR: {path}: cannot read the gate's decision ({error}).") from None


def _job_tags(client: Any, run_id: str) -> tuple[str | None, dict[str, str]]:
    """The pipeline run id and the tags of the pipeline job, overlaid with the step run's."""
    from mlflow.exceptions import MlflowException

    own_tags = client.get_run(run_id).data.tags
    parent_id = own_tags.get("mlflow.parentRunId")
    parent_tags: dict[str, str] = {}
    if parent_id:
        try:
            parent_tags = client.get_run(parent_id).data.tags
        except MlflowException as error:
            logger.warning("cannot read the pipeline run's tags: %s", error)
    return parent_id, {**parent_tags, **own_tags}


def _summary(result: dict[str, Any], decision: dict[str, Any]) -> str:
    metric = decision["metric"]
    values = f"{metric} {decision['new_value']:.6g}"
    if decision["production_value"] is not None:
        values += (
            f" vs production v{decision['production_version']} {decision['production_value']:.6g}"
        )
    if result["registered"]:
        return f"Registered model {result['name']} version {result['version']} ({values})."
    return f"Did not register model {result['name']} ({values}): {result['reason']}."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the step; prints one line saying what was registered.

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code, 0 whether or not a version was registered.

    Raises:
        SystemExit: With a one-line message when the decision or model cannot be read.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    decision = _read_decision(args.evaluation)

    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException
    from mlflow.models import Model

    try:
        training_run_id = (Model.load(str(args.model)).metadata or {})[TRAINING_RUN_TAG]
    except (MlflowException, OSError, KeyError) as error:
        raise SystemExit(
            f"ERROR: {args.model}: not an MLflow model with {TRAINING_RUN_TAG} in its metadata "
            f"({error}); save it with diabetes_regression.train_model."
        ) from None
    result: dict[str, Any] = {"registered": False, "name": args.model_name, "version": None}
    client = MlflowClient()
    with mlflow.start_run() as run:
        mlflow.log_metrics({name: value for name, value in decision["new_metrics"].items()})
        if not decision["register"]:
            result["reason"] = f"the gate decided not to: {decision['reason']}"
        else:
            existing = already_registered(model_versions(args.model_name), training_run_id)
            if existing is not None:
                result["reason"] = (
                    f"the model of training run {training_run_id} is already version {existing}"
                )
            else:
                pipeline_run_id, job_tags = _job_tags(client, run.info.run_id)
                tags = version_tags(
                    decision,
                    training_run_id,
                    run.info.run_id,
                    pipeline_run_id,
                    job_tags,
                    content_hash(args.training_data),
                )
                mlflow.log_artifacts(str(args.model), "model")
                version = mlflow.register_model(
                    f"runs:/{run.info.run_id}/model", args.model_name, tags=tags
                )
                result.update(
                    registered=True, version=str(version.version), reason=decision["reason"]
                )
        mlflow.log_metric("registered", int(result["registered"]))
        if result["version"]:
            mlflow.set_tag("model_version", result["version"])
    result["decision"] = decision
    args.registration.mkdir(parents=True, exist_ok=True)
    (args.registration / REGISTRATION_FILE).write_text(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(_summary(result, decision) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
