"""Entry module of the train_model component: fit the model, save it as an MLflow model."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from diabetes_regression.arguments import boolean
from diabetes_regression.data import (
    DataContractError,
    features_and_target,
    read_data,
    split_data,
)

logger = logging.getLogger(__name__)

# The share of training rows held out to score the hyperparameters: `validation_<metric>` for
# each of METRICS (validation_mse, validation_r2, ...), what pipelines/tune.yml's sweep ranks
# its trials by. The saved model is then fitted on every training row.
VALIDATION_SHARE = 0.2
VALIDATION_SEED = 0


def build_parser() -> argparse.ArgumentParser:
    """The component's command line; flag names are its input and output names."""
    parser = argparse.ArgumentParser(
        prog="python -m diabetes_regression.train_model", description=__doc__
    )
    parser.add_argument("--train_data", type=Path, required=True, help="folder with train.csv")
    # BYOC: one flag per hyperparameter input of components/train_model.yml.
    parser.add_argument("--alpha", type=float, default=0.5, help="Ridge regularisation, >= 0")
    parser.add_argument("--fit_intercept", type=boolean, default=True, help="fit an intercept")
    parser.add_argument("--model", type=Path, required=True, help="output: MLflow model folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the step, logging params and training metrics to the step's MLflow run.

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code, 0.

    Raises:
        SystemExit: With a one-line message for bad data or hyperparameters.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        train = read_data(args.train_data)
    except DataContractError as error:
        raise SystemExit(f"ERROR: {error}") from None

    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from diabetes_regression.evaluation import compute_metrics
    from diabetes_regression.model_types import trusted_types
    from diabetes_regression.registration import TRAINING_RUN_TAG
    from diabetes_regression.training import train_model

    # Every flag but the data and the model is a hyperparameter of train_model().
    hyperparameters = {k: v for k, v in vars(args).items() if k not in ("train_data", "model")}
    try:
        model = train_model(train, **hyperparameters)
        # Audited before anything is logged, so a model that cannot be saved leaves no run.
        skops_trusted_types = trusted_types(model)
    except ValueError as error:  # bad hyperparameters, or UntrustedModelTypes
        raise SystemExit(f"ERROR: {error}") from None
    features, target = features_and_target(train)
    predictions = model.predict(features)
    try:
        metrics = compute_metrics(target, predictions)
        validation = validation_metrics(train, hyperparameters)
    except ValueError as error:
        raise SystemExit(f"ERROR: {error}") from None
    # start_run() attaches to the step's run when MLFLOW_RUN_ID is set (local engine, Azure ML).
    with mlflow.start_run() as run:
        mlflow.log_params(hyperparameters)
        mlflow.log_metrics({f"train_{name}": value for name, value in metrics.items()})
        mlflow.log_metrics({f"validation_{name}": value for name, value in validation.items()})
        args.model.mkdir(parents=True, exist_ok=True)
        # BYOC: the MLflow flavor of your model (mlflow.sklearn suits scikit-learn models).
        mlflow.sklearn.save_model(
            model,
            str(args.model),
            signature=infer_signature(features, predictions),
            input_example=features.head(5),
            metadata={TRAINING_RUN_TAG: run.info.run_id},
            skops_trusted_types=skops_trusted_types,
            # Named rather than inferred: inference re-imports the model in a subprocess (~5 s).
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(include_skops=True),
        )
    summary = ", ".join(f"{name} {value:.4g}" for name, value in metrics.items())
    logger.info("trained on %d rows: train %s", len(train), summary)
    return 0


def validation_metrics(train: pd.DataFrame, hyperparameters: dict[str, Any]) -> dict[str, float]:
    """The metrics of a model fitted on most training rows and scored on the rest (seeded), so
    that hyperparameters are compared on rows the model did not see; the test rows stay the
    gate's. Empty when there are too few rows to hold any out.

    Raises:
        ValueError: The hyperparameters or metrics do not suit the data.
    """
    from diabetes_regression.evaluation import compute_metrics
    from diabetes_regression.training import train_model

    try:
        fit_rows, held_out = split_data(train, VALIDATION_SHARE, VALIDATION_SEED)
    except DataContractError:
        logger.warning("too few training rows to hold out a validation share")
        return {}
    features, target = features_and_target(held_out)
    return compute_metrics(target, train_model(fit_rows, **hyperparameters).predict(features))


if __name__ == "__main__":
    raise SystemExit(main())
