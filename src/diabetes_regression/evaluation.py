"""The metrics and the registration gate: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


def _mse(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean((actual.astype(float) - predicted.astype(float)) ** 2))


def _rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(_mse(actual, predicted)))


def _mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(actual.astype(float) - predicted.astype(float))))


def _r2(actual: np.ndarray, predicted: np.ndarray) -> float:
    actual, predicted = actual.astype(float), predicted.astype(float)
    total = float(np.sum((actual - np.mean(actual)) ** 2))
    residual = float(np.sum((actual - predicted) ** 2))
    return 1.0 - residual / total if total else float("nan")


# BYOC: your metrics, each a function of (actual, predicted) arrays -- numbers, or class labels
# for a classifier -- and True when higher is better. The first one is the default gate metric.
# The `metric` input of components/evaluate_model.yml and pipelines/train.yml follow this dict
# (tests/diabetes_regression/test_diabetes_metrics.py says what to change).
METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], bool]] = {
    "mse": (_mse, False),
    "rmse": (_rmse, False),
    "mae": (_mae, False),
    "r2": (_r2, True),
}


def compute_metrics(actual: Any, predicted: Any) -> dict[str, float]:
    """Every metric in METRICS for one set of predictions.

    Args:
        actual: True target values (numbers, or class labels).
        predicted: The model's predictions, same length.

    Returns:
        Metric name -> value.

    Raises:
        ValueError: When the lengths differ, there are no rows, or a metric does not suit the
            values (a regression metric given class labels).
    """
    actual_values = np.asarray(actual).ravel()
    predicted_values = np.asarray(predicted).ravel()
    if actual_values.shape != predicted_values.shape or actual_values.size == 0:
        raise ValueError(
            f"need as many predictions as targets, got {predicted_values.size} "
            f"predictions for {actual_values.size} targets."
        )
    metrics = {}
    for name, (function, _) in METRICS.items():
        try:
            metrics[name] = function(actual_values, predicted_values)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"metric '{name}' cannot be computed on these predictions ({error}); "
                "METRICS in evaluation.py must suit the target (e.g. accuracy for class labels)."
            ) from None
    return metrics


DEFAULT_METRIC = next(iter(METRICS))


def is_better(metric: str, new_value: float, production_value: float) -> bool:
    """Whether `new_value` strictly improves on `production_value`; a tie is not better.

    Raises:
        ValueError: For a metric not in METRICS.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric '{metric}'; choose one of {', '.join(METRICS)}.")
    higher_is_better = METRICS[metric][1]
    return new_value > production_value if higher_is_better else new_value < production_value


def decide(
    metric: str,
    new_metrics: Mapping[str, float],
    production_metrics: Mapping[str, float] | None,
    production_version: str | None,
    run_evaluation: bool,
) -> dict[str, Any]:
    """The gate's decision: register the new model or not, and why.

    Args:
        metric: The metric that decides, a key of METRICS.
        new_metrics: The new model's metrics on the test data.
        production_metrics: The production model's metrics on the same data; None if none.
        production_version: The production model's version; None when no model is registered.
        run_evaluation: False registers without comparing.

    Returns:
        The decision as written to decision.json.

    Raises:
        ValueError: For a metric not in METRICS.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric '{metric}'; choose one of {', '.join(METRICS)}.")
    higher_is_better = METRICS[metric][1]
    new_value = new_metrics[metric]
    production_value = production_metrics[metric] if production_metrics is not None else None
    if not run_evaluation:
        register, reason = True, "run_evaluation is false: registering without comparing"
    elif production_metrics is None:
        register, reason = True, "no production model yet: registering the first version"
    elif is_better(metric, new_value, production_value):
        register = True
        reason = (
            f"{metric} {new_value:.6g} beats production version "
            f"{production_version}'s {production_value:.6g}"
        )
    else:
        register = False
        reason = (
            f"{metric} {new_value:.6g} does not beat production version "
            f"{production_version}'s {production_value:.6g}"
        )
    return {
        "register": register,
        "reason": reason,
        "metric": metric,
        "higher_is_better": higher_is_better,
        "new_value": new_value,
        "production_value": production_value,
        "production_version": production_version,
        "run_evaluation": run_evaluation,
        "new_metrics": dict(new_metrics),
        "production_metrics": dict(production_metrics) if production_metrics is not None else None,
    }
