"""Entry module of the evaluate_model component, the gate: new model vs production model.

Writes decision.json and predicted_vs_actual.png (a scatter plot for a regression model, a
confusion matrix of counts for a classifier); never fails the pipeline to say "not better".
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from diabetes_regression.arguments import boolean
from diabetes_regression.data import DataContractError, features_and_target, read_data
from diabetes_regression.evaluation import DEFAULT_METRIC, METRICS, compute_metrics, decide
from diabetes_regression.model_types import UntrustedModelTypes, check_saved_model
from diabetes_regression.registration import DEFAULT_MODEL_NAME
from diabetes_regression.registry import latest_version

logger = logging.getLogger(__name__)

DECISION_FILE = "decision.json"
PLOT_FILE = "predicted_vs_actual.png"


def build_parser() -> argparse.ArgumentParser:
    """The component's command line; flag names are its input and output names."""
    parser = argparse.ArgumentParser(
        prog="python -m diabetes_regression.evaluate_model", description=__doc__
    )
    parser.add_argument("--model", type=Path, required=True, help="the new MLflow model folder")
    parser.add_argument("--test_data", type=Path, required=True, help="folder with test.csv")
    parser.add_argument(
        "--model_name", default=DEFAULT_MODEL_NAME, help="registered name of the production model"
    )
    parser.add_argument(
        "--metric", choices=list(METRICS), default=DEFAULT_METRIC, help="the deciding metric"
    )
    parser.add_argument(
        "--run_evaluation", type=boolean, default=True, help="false: register without comparing"
    )
    parser.add_argument(
        "--evaluation", type=Path, required=True, help="output folder: decision and plot"
    )
    return parser


def _plot(path: Path, actual: Any, series: dict[str, Any], classifier: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    if classifier:
        figure, all_axes = pyplot.subplots(1, len(series), figsize=(5 * len(series), 5))
        for axes, (label, predicted) in zip(np.atleast_1d(all_axes), series.items(), strict=True):
            _confusion(axes, np.asarray(actual), np.asarray(predicted), label)
    else:
        figure, axes = pyplot.subplots(figsize=(5, 5))
        for label, predicted in series.items():
            axes.scatter(actual, predicted, s=12, alpha=0.7, label=label)
        low, high = float(min(actual)), float(max(actual))
        axes.plot([low, high], [low, high], color="grey", linewidth=1, label="perfect")
        axes.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (test data)")
        axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def _confusion(axes: Any, actual: np.ndarray, predicted: np.ndarray, label: str) -> None:
    """Counts of (actual, predicted) label pairs, labels in sorted order."""
    labels = sorted(set(actual.tolist()) | set(predicted.tolist()), key=str)
    index = {value: position for position, value in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=int)
    for truth, guess in zip(actual.tolist(), predicted.tolist(), strict=True):
        counts[index[truth], index[guess]] += 1
    axes.imshow(counts, cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        axes.text(column, row, str(count), ha="center", va="center")
    ticks = range(len(labels))
    axes.set_xticks(ticks, [str(value) for value in labels], rotation=45)
    axes.set_yticks(ticks, [str(value) for value in labels])
    axes.set(xlabel="predicted", ylabel="actual", title=f"Confusion matrix: {label}")


def _is_classifier(model: Any, target: Any) -> bool:
    """A scikit-learn classifier, or any model of a target that is not numeric."""
    from sklearn.base import is_classifier

    if "sklearn" in model.metadata.flavors:
        return bool(is_classifier(model.get_raw_model()))
    return np.asarray(target).dtype.kind not in "iuf"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the step, logging both models' metrics and the decision to the step's MLflow run.

    Args:
        argv: Command-line arguments; None reads sys.argv.

    Returns:
        The exit code, 0 whether or not the new model is better.

    Raises:
        SystemExit: With a one-line message for bad test data or a production model that
            cannot score it.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        features, target = features_and_target(read_data(args.test_data))
    except DataContractError as error:
        raise SystemExit(f"ERROR: {error}") from None

    import mlflow
    import mlflow.artifacts
    import mlflow.pyfunc

    try:
        check_saved_model(args.model)
    except UntrustedModelTypes as error:
        raise SystemExit(f"ERROR: {error}") from None
    # The new model comes from train_model, which runs in this step's environment (both
    # components name it): its requirements are this environment's, so MLflow's check of them
    # against the installed packages (~0.4 s) is skipped; the production model's is not.
    new_model = mlflow.pyfunc.load_model(str(args.model), suppress_warnings=True)
    predictions = {"new model": new_model.predict(features)}
    new_metrics = compute_metrics(target, predictions["new model"])
    production_version = latest_version(args.model_name) if args.run_evaluation else None
    production_metrics = None
    if production_version is not None:
        uri = f"models:/{args.model_name}/{production_version}"
        try:
            local = Path(mlflow.artifacts.download_artifacts(uri))
            check_saved_model(local)
            production = mlflow.pyfunc.load_model(str(local))
            predictions[f"production v{production_version}"] = production.predict(features)
        except Exception as error:
            raise SystemExit(
                f"ERROR: production model {args.model_name} version {production_version} cannot "
                f"score the test data ({error}). If the data schema changed on purpose, set "
                "run_evaluation to false to register without comparing."
            ) from None
        production_metrics = compute_metrics(
            target, predictions[f"production v{production_version}"]
        )
    decision = decide(
        args.metric, new_metrics, production_metrics, production_version, args.run_evaluation
    )

    args.evaluation.mkdir(parents=True, exist_ok=True)
    (args.evaluation / DECISION_FILE).write_text(json.dumps(decision, indent=2) + "\n")
    _plot(args.evaluation / PLOT_FILE, target, predictions, _is_classifier(new_model, target))
    with mlflow.start_run():
        mlflow.log_metrics({f"new_{name}": value for name, value in new_metrics.items()})
        if production_metrics is not None:
            mlflow.log_metrics(
                {f"production_{name}": value for name, value in production_metrics.items()}
            )
        mlflow.log_metric("register", int(decision["register"]))
        mlflow.log_artifact(str(args.evaluation / DECISION_FILE))
        mlflow.log_artifact(str(args.evaluation / PLOT_FILE))
    logger.info(
        "gate: %s -- %s",
        "register" if decision["register"] else "do not register",
        decision["reason"],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
