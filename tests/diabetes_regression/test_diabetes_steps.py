"""Pure step functions: training, metrics, the gate's decision, registration tags."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from diabetes_regression import train_model as train_model_step
from diabetes_regression.evaluation import METRICS, compute_metrics, decide, is_better
from diabetes_regression.registration import PROJECT_AREA, already_registered, version_tags
from diabetes_regression.training import train_model


@pytest.mark.sample_only("model")
def test_train_model_fits_the_rows(three_rows: pd.DataFrame) -> None:
    model = train_model(three_rows, alpha=1e-6, fit_intercept=True)
    features = three_rows.drop(columns=["Y"])
    assert model.predict(features).tolist() == pytest.approx([100.0, 101.0, 102.0], abs=1e-3)
    heavily_regularised = train_model(three_rows, alpha=1e6, fit_intercept=True)
    assert heavily_regularised.predict(features).tolist() == pytest.approx([101.0] * 3, abs=1e-3)


@pytest.mark.sample_only("model")
def test_train_model_refuses_negative_alpha(three_rows: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"^alpha must be >= 0, got -1.0.$"):
        train_model(three_rows, alpha=-1.0, fit_intercept=True)


@pytest.mark.sample_only("metrics")
def test_metrics_on_known_values() -> None:
    metrics = compute_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    assert metrics["mse"] == pytest.approx(4 / 3)
    assert metrics["rmse"] == pytest.approx(math.sqrt(4 / 3))
    assert metrics["mae"] == pytest.approx(2 / 3)
    assert metrics["r2"] == pytest.approx(1 - 4 / 2)
    assert set(metrics) == set(METRICS)


def test_metrics_refuse_mismatched_lengths() -> None:
    with pytest.raises(
        ValueError, match="need as many predictions as targets, got 2 predictions for 3"
    ):
        compute_metrics([1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize(
    ("metric", "better", "worse"),
    [("mse", 1.0, 2.0), ("rmse", 1.0, 2.0), ("mae", 1.0, 2.0), ("r2", 0.9, 0.8)],
)
@pytest.mark.sample_only("metrics")
def test_each_metric_direction_and_tie(metric: str, better: float, worse: float) -> None:
    assert is_better(metric, better, worse)
    assert not is_better(metric, worse, better)
    assert not is_better(metric, better, better)


@pytest.mark.sample_only("metrics")
def test_unknown_metric_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"^unknown metric 'auc'; choose one of mse, rmse, mae, r2\.$"
    ):
        decide("auc", {"auc": 1.0}, None, None, True)


def _metrics(mse: float) -> dict[str, float]:
    return {"mse": mse, "rmse": math.sqrt(mse), "mae": mse / 2, "r2": 1 - mse / 100}


@pytest.mark.sample_only("metrics")
def test_decide_first_model_registers() -> None:
    decision = decide("mse", _metrics(10), None, None, run_evaluation=True)
    assert decision["register"] is True
    assert decision["reason"] == "no production model yet: registering the first version"
    assert decision["production_value"] is None


@pytest.mark.sample_only("metrics")
def test_decide_better_worse_equal() -> None:
    better = decide("mse", _metrics(9), _metrics(10), "3", run_evaluation=True)
    assert better["register"] is True
    assert better["reason"] == "mse 9 beats production version 3's 10"
    worse = decide("mse", _metrics(11), _metrics(10), "3", run_evaluation=True)
    assert worse["register"] is False
    assert worse["reason"] == "mse 11 does not beat production version 3's 10"
    assert decide("mse", _metrics(10), _metrics(10), "3", run_evaluation=True)["register"] is False


@pytest.mark.sample_only("metrics")
def test_decide_r2_prefers_higher() -> None:
    decision = decide("r2", _metrics(9), _metrics(10), "1", run_evaluation=True)
    assert decision["register"] is True
    assert decision["higher_is_better"] is True
    assert decision["new_value"] == pytest.approx(0.91)


@pytest.mark.sample_only("metrics")
def test_decide_without_evaluation_registers_even_a_worse_model() -> None:
    decision = decide("mse", _metrics(11), _metrics(10), "1", run_evaluation=False)
    assert decision["register"] is True
    assert decision["reason"] == "run_evaluation is false: registering without comparing"


def test_already_registered_matches_the_training_run() -> None:
    versions = [("1", {"training_run_id": "a"}), ("2", {"training_run_id": "b"}), ("3", {})]
    assert already_registered(versions, "b") == "2"
    assert already_registered(versions, "c") is None


@pytest.mark.sample_only("metrics")
def test_version_tags_carry_metrics_runs_data_and_build() -> None:
    decision = decide("mse", _metrics(10), None, None, run_evaluation=True)
    job_tags = {"build_id": "42", "build_uri": "https://ci/42", "mlflow.source.git.commit": "abc"}
    tags = version_tags(decision, "train-run", "register-run", "pipeline-run", job_tags, "f00d")
    assert tags == {
        "mse": "10",
        "rmse": "3.16228",
        "mae": "5",
        "r2": "0.9",
        "area": PROJECT_AREA,
        "gate_metric": "mse",
        "training_run_id": "train-run",
        "run_id": "register-run",
        "data_hash": "f00d",
        "pipeline_run_id": "pipeline-run",
        "build_id": "42",
        "build_uri": "https://ci/42",
        "git_commit": "abc",
    }


@pytest.mark.sample_only("metrics")
def test_version_tags_leave_out_what_is_unknown() -> None:
    decision = decide("mse", _metrics(10), None, None, run_evaluation=True)
    tags = version_tags(decision, "t", "r", None, {}, "f00d")
    assert not {"pipeline_run_id", "build_id", "build_uri", "git_commit"} & set(tags)


@pytest.mark.sample_only("model")
def test_train_step_exits_with_one_line_for_a_negative_alpha(
    tmp_path: Path, three_rows: pd.DataFrame
) -> None:
    three_rows.to_csv(tmp_path / "train.csv", index=False)
    argv = ["--train_data", str(tmp_path), "--alpha", "-2", "--model", str(tmp_path / "model")]
    with pytest.raises(SystemExit) as exit_info:
        train_model_step.main(argv)
    assert exit_info.value.code == "ERROR: alpha must be >= 0, got -2.0."
    assert not (tmp_path / "model").exists()
