"""The tests' registration step: the contract of a training pipeline's last step.

Registers the model under --model-name (with the pipeline job's build_id and build_uri tags)
when no version exists yet or its training error beats the latest version's, and writes
registration.json in the shape scripts/registration_summary.py reads.
"""

import argparse
import json
from pathlib import Path

import pandas as pd


def training_error(model_folder, data):
    """Mean absolute error of the model on the CSV files of `data`."""
    import mlflow.pyfunc

    frame = pd.concat(pd.read_csv(path) for path in sorted(data.glob("*.csv")))
    predictions = mlflow.pyfunc.load_model(str(model_folder)).predict(frame.drop(columns="y"))
    return float((frame["y"] - predictions).abs().mean())


def decide(error, production):
    """The gate: (register?, reason) given the production (version, error), or None."""
    if production is None:
        return True, "no production model yet"
    version, before = production
    if error < before:
        return True, f"error {error:.4g} beats production version {version} ({before:.4g})"
    return False, f"error {error:.4g} does not beat production version {version} ({before:.4g})"


def main(argv=None):
    import mlflow
    from mlflow import MlflowClient

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--registration", type=Path, required=True)
    args = parser.parse_args(argv)
    error = training_error(args.model, args.data)
    client = MlflowClient()
    versions = client.search_model_versions(f"name='{args.model_name}'")
    latest = max(versions, key=lambda v: int(v.version), default=None)
    production = (latest.version, float(latest.tags["error"])) if latest else None
    register, reason = decide(error, production)
    result = {"registered": False, "name": args.model_name, "version": None, "reason": reason}
    with mlflow.start_run() as run:
        if register:
            parent = client.get_run(run.info.run_id).data.tags.get("mlflow.parentRunId")
            job_tags = client.get_run(parent).data.tags if parent else {}
            tags = {"error": repr(error)}
            tags.update({k: job_tags[k] for k in ("build_id", "build_uri") if k in job_tags})
            mlflow.log_artifacts(str(args.model), "model")
            version = mlflow.register_model(
                f"runs:/{run.info.run_id}/model", args.model_name, tags=tags
            )
            result.update(registered=True, version=str(version.version))
    result["decision"] = {
        "register": register,
        "reason": reason,
        "new_metrics": {"error": error},
        "production_metrics": {"error": production[1]} if production else None,
    }
    args.registration.mkdir(parents=True, exist_ok=True)
    (args.registration / "registration.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
