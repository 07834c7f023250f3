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
from diabetes_regression.evaluation import is_better
from diabetes_regression.registration import (
    DEFAULT_MODEL_NAME,
    TRAINING_RUN_TAG,
    already_registered,
    version_tags,
)
from diabetes_regression.registry import model_versions, registry_lock

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


def recheck(
    decision: dict[str, Any], versions: list[tuple[str, dict[str, str]]], data_hash: str
) -> tuple[bool, str, dict[str, Any]]:
    """Whether the gate's "register" still holds against the production model as it is now.

    Another pipeline may have registered a version since this run's gate compared. Its
    metric on the same training data (the version's tags, at their 6 significant digits, as
    is the new value here) then decides, with the gate's own comparison.

    Args:
        decision: The gate's decision (decision.json), which said register.
        versions: (version, tags) of every version of the model name, read under the lock.
        data_hash: The content hash of this run's training data.

    Returns:
        Register or not, why, and what was compared against (recorded in registration.json).
    """
    metric = decision["metric"]
    latest = max(versions, key=lambda item: int(item[0]), default=None)
    compared: dict[str, Any] = {
        "version": latest[0] if latest else None,
        "metric": metric,
        "value": None,
        "source": None,
    }
    if not decision["run_evaluation"]:
        return True, decision["reason"], {**compared, "source": "not compared"}
    if latest is None or latest[0] == decision["production_version"]:
        value = decision["production_value"] if latest else None
        return True, decision["reason"], {**compared, "value": value, "source": "the gate"}
    version, tags = latest
    compared["source"] = f"version {version}'s tags"
    if tags.get(metric) is None or tags.get("data_hash") != data_hash:
        return (
            False,
            f"production became version {version} after the gate compared against "
            f"{decision['production_version'] or 'no model'}, and its {metric} on this training "
            "data is not recorded; run the pipeline again to compare against it",
            compared,
        )
    production_value = float(tags[metric])
    new_value = float(f"{decision['new_value']:.6g}")
    compared["value"] = production_value
    if is_better(metric, new_value, production_value):
        return (
            True,
            f"{metric} {new_value:.6g} still beats production version {version}'s "
            f"{production_value:.6g}, registered while this run was evaluated",
            compared,
        )
    return (
        False,
        f"{metric} {new_value:.6g} no longer beats production: version {version} "
        f"({metric} {production_value:.6g}) was registered while this run was evaluated",
        compared,
    )


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
            data_hash = content_hash(args.training_data)
            # Compare-and-register: under the registry-wide lock, the production model is read
            # again and the new one registered only if it still beats it (see `recheck`).
            with registry_lock():
                versions = model_versions(args.model_name)
                existing = already_registered(versions, training_run_id)
                register, reason, result["compared_with"] = recheck(decision, versions, data_hash)
                if existing is not None:
                    result["reason"] = (
                        f"the model of training run {training_run_id} is already version {existing}"
                    )
                elif not register:
                    result["reason"] = reason
                else:
                    pipeline_run_id, job_tags = _job_tags(client, run.info.run_id)
                    tags = version_tags(
                        decision,
                        training_run_id,
                        run.info.run_id,
                        pipeline_run_id,
                        job_tags,
                        data_hash,
                    )
                    mlflow.log_artifacts(str(args.model), "model")
                    version = mlflow.register_model(
                        f"runs:/{run.info.run_id}/model", args.model_name, tags=tags
                    )
                    result.update(registered=True, version=str(version.version), reason=reason)
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
