"""METRICS in evaluation.py is the one list of metric names: the gate's YAML follows it.

YAML cannot import Python, so these checks keep the component's `metric` input and the
pipeline's `metric` value in step with METRICS, and say what to change when they drift.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from diabetes_regression.data import TARGET_KIND
from diabetes_regression.evaluate_model import build_parser
from diabetes_regression.evaluation import DEFAULT_METRIC, METRICS, compute_metrics, decide


def test_the_components_metric_enum_and_default_follow_metrics(repo_root: Path) -> None:
    path = "components/evaluate_model.yml"
    metric = yaml.safe_load((repo_root / path).read_text())["inputs"]["metric"]
    names = list(METRICS)
    assert metric["enum"] == names, (
        f"{path}: set inputs.metric.enum to [{', '.join(names)}], the names of METRICS in "
        "evaluation.py, in the same order."
    )
    assert metric["default"] == DEFAULT_METRIC, (
        f"{path}: set inputs.metric.default to {DEFAULT_METRIC}, the first name in METRICS "
        "(or put the default metric first in METRICS)."
    )


def test_the_pipelines_gate_metric_is_one_of_metrics(repo_root: Path) -> None:
    path = "pipelines/train.yml"
    metric = yaml.safe_load((repo_root / path).read_text())["inputs"]["metric"]
    assert metric in METRICS, (
        f"{path}: inputs.metric is {metric!r}; set it to one of {', '.join(METRICS)} "
        "(the names of METRICS in evaluation.py)."
    )


def test_the_steps_flag_offers_exactly_metrics() -> None:
    action = next(a for a in build_parser()._actions if a.dest == "metric")
    assert list(action.choices) == list(METRICS)
    assert action.default == DEFAULT_METRIC


def test_every_metric_prefers_perfect_predictions_to_wrong_ones() -> None:
    labels = TARGET_KIND == "label"
    actual = np.array([0, 1, 2, 1, 0, 2]) if labels else np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    wrong = (actual + 1) % 3 if labels else actual[::-1]
    good, bad = compute_metrics(actual, actual), compute_metrics(actual, wrong)
    for name, (_, higher_is_better) in METRICS.items():
        assert np.isfinite(good[name]) and np.isfinite(bad[name]), name
        decision = decide(name, good, bad, "1", run_evaluation=True)
        assert decision["register"] is True, f"{name}: {decision['reason']}"
        assert decision["higher_is_better"] is higher_is_better
