"""Whatever estimator training.py returns is saved, served and batch-scored with no other edit.

The training function is swapped for other model families (a forest, gradient boosting, a
preprocessing pipeline), on data made for whatever FEATURE_COLUMNS the project declares; a
classifier's labels come back as the model's own values, integers as integers, text as text.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from diabetes_regression import (
    data,
    evaluate_model,
    evaluation,
    score,
    score_batch,
    train_model,
)
from diabetes_regression.data import FEATURE_COLUMNS, TARGET_COLUMN
from diabetes_regression.model_types import UntrustedModelTypes, check_saved_model, trusted_types

ROWS = 60


def _frame(labels: list[Any] | None) -> pd.DataFrame:
    """Rows of the project's contract: the first feature takes three values (for a one-hot
    encoder), the target is a number or one of `labels`."""
    generator = np.random.default_rng(7)
    frame = pd.DataFrame(
        generator.normal(size=(ROWS, len(FEATURE_COLUMNS))), columns=FEATURE_COLUMNS
    )
    frame[FEATURE_COLUMNS[0]] = np.arange(ROWS) % 3
    signal = frame.sum(axis=1).to_numpy()
    if labels is None:
        frame[TARGET_COLUMN] = 100 + 10 * signal
    else:
        bins = np.quantile(signal, np.linspace(0, 1, len(labels) + 1)[1:-1])
        frame[TARGET_COLUMN] = [labels[int(i)] for i in np.digitize(signal, bins)]
    return frame


def _accuracy(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(actual == predicted))


def _mse(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean((actual.astype(float) - predicted.astype(float)) ** 2))


def _one_hot_pipeline(final: Any) -> Pipeline:
    columns = list(FEATURE_COLUMNS)
    prepare = ColumnTransformer(
        [
            ("onehot", OneHotEncoder(handle_unknown="ignore"), columns[:1]),
            ("scale", StandardScaler(), columns[1:]),
        ]
    )
    return Pipeline([("prepare", prepare), ("model", final)])


CASES: dict[str, tuple[Callable[[], Any], list[Any] | None, list[str]]] = {
    "forest, integer labels": (
        lambda: RandomForestClassifier(n_estimators=5, random_state=0),
        [0, 1, 2],
        ["sklearn.tree._tree.Tree"],
    ),
    "gradient boosting, regression": (
        lambda: GradientBoostingRegressor(n_estimators=10, random_state=0),
        None,
        ["sklearn.tree._tree.Tree"],
    ),
    "histogram boosting, text labels": (
        lambda: HistGradientBoostingClassifier(max_iter=10, random_state=0),
        ["low", "high"],
        ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"],
    ),
    "one-hot pipeline, regression": (lambda: _one_hot_pipeline(Ridge()), None, []),
    "scaling pipeline, text labels": (
        lambda: make_pipeline(StandardScaler(), LogisticRegression()),
        ["cat", "dog", "eel"],
        [],
    ),
}


@dataclass(frozen=True)
class Trained:
    """A model trained by the train_model step, with its data and its fitted estimator."""

    folder: Path
    frame: pd.DataFrame
    estimator: Any
    trusted_types: list[str]
    labels: list[Any] | None


def _set_task(patch: pytest.MonkeyPatch, labels: list[Any] | None) -> None:
    """The case's own task (a number or a label target, a metric for it), whatever the
    project's is."""
    patch.setattr(data, "TARGET_KIND", "number" if labels is None else "label")
    metric = ("mse", _mse) if labels is None else ("accuracy", _accuracy)
    patch.setattr(evaluation, "METRICS", {metric[0]: (metric[1], labels is not None)})


@pytest.fixture(scope="module", params=list(CASES))
def trained(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _migrated_mlflow_database: Path,
) -> Trained:
    """One model family, trained once for the module's tests, against its own MLflow store."""
    from mlflow import MlflowClient

    make, labels, expected_types = CASES[request.param]
    folder = tmp_path_factory.mktemp("any_model")
    shutil.copyfile(_migrated_mlflow_database, folder / "mlflow.db")
    frame = _frame(labels)
    (folder / "train").mkdir()
    frame.to_csv(folder / "train" / "train.csv", index=False)
    fitted: list[Any] = []

    def train(train: pd.DataFrame, **hyperparameters: Any) -> Any:
        features, target = data.features_and_target(train)
        fitted.append(make().fit(features, target))
        return fitted[0]

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder / 'mlflow.db'}")
        experiment = MlflowClient().create_experiment("any", (folder / "artifacts").as_uri())
        patch.setenv("MLFLOW_EXPERIMENT_ID", experiment)
        _set_task(patch, labels)
        patch.setattr("diabetes_regression.training.train_model", train)
        argv = ["--train_data", str(folder / "train"), "--model", str(folder / "model")]
        assert train_model.main(argv) == 0
    return Trained(folder / "model", frame, fitted[0], expected_types, labels)


def test_the_model_is_saved_as_skops_with_its_audited_types(trained: Trained) -> None:
    flavor = yaml.safe_load((trained.folder / "MLmodel").read_text())["flavors"]["sklearn"]
    assert flavor["serialization_format"] == "skops"
    assert (flavor.get("skops_trusted_types") or []) == trained.trusted_types


def _post(body: bytes) -> tuple[int, Any]:
    import flask

    app = flask.Flask("scoring")
    with app.test_request_context("/score", method="POST", data=body):
        response = score.run(flask.request)
    return response.status_code, json.loads(response.get_data())


def test_score_py_answers_with_the_models_own_values(
    trained: Trained, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(trained.folder.parent))
    score.init()
    estimator = trained.estimator
    features = trained.frame.loc[:, list(FEATURE_COLUMNS)].astype(float).head(12)
    status, answer = _post(json.dumps({"data": features.to_numpy().tolist()}).encode())
    assert status == 200
    expected = estimator.predict(features).tolist()
    if isinstance(expected[0], float):
        assert answer["result"] == pytest.approx(expected, rel=1e-9)
    else:
        assert answer["result"] == expected
        assert [type(value) for value in answer["result"]] == [type(v) for v in expected]
    bad_status, bad_answer = _post(json.dumps({"data": [[1.0]]}).encode())
    assert bad_status == 400
    assert bad_answer["error"].startswith("row 0 has 1 values")


def test_the_batch_scorer_writes_the_models_own_values(
    trained: Trained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["score_batch", "--model", str(trained.folder)])
    score_batch.init()
    estimator = trained.estimator
    scoring = tmp_path / "scoring.csv"
    features = trained.frame.loc[:, list(FEATURE_COLUMNS)].astype(float).head(7)
    features.to_csv(scoring, index=False)
    result = score_batch.run([str(scoring)])
    expected = estimator.predict(features).tolist()
    if isinstance(expected[0], float):
        assert result["prediction"].tolist() == [round(value, 4) for value in expected]
    else:
        assert result["prediction"].tolist() == expected


def test_the_gate_scores_the_model_in_its_metrics_direction_and_draws_its_plot(
    trained: Trained, tmp_path: Path, tracked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_task(monkeypatch, trained.labels)
    monkeypatch.setattr(evaluate_model, "METRICS", evaluation.METRICS)
    folder, frame = trained.folder, trained.frame
    metric, (_, higher_is_better) = next(iter(evaluation.METRICS.items()))
    (tmp_path / "test").mkdir()
    frame.to_csv(tmp_path / "test" / "test.csv", index=False)
    output = tmp_path / "evaluation"
    argv = ["--model", str(folder), "--test_data", str(tmp_path / "test")]
    argv += ["--model_name", "any_model", "--metric", metric, "--evaluation", str(output)]
    assert evaluate_model.main(argv) == 0
    decision = json.loads((output / evaluate_model.DECISION_FILE).read_text())
    assert (decision["register"], decision["metric"]) == (True, metric)
    assert decision["higher_is_better"] is higher_is_better
    assert (output / evaluate_model.PLOT_FILE).stat().st_size > 1000


def _double(values: Any) -> Any:
    return values * 2


def test_a_model_holding_a_type_from_outside_the_trusted_modules_is_refused() -> None:
    frame = _frame(None)
    features, target = frame.loc[:, list(FEATURE_COLUMNS)], frame[TARGET_COLUMN]
    model = make_pipeline(FunctionTransformer(_double), Ridge()).fit(features, target)
    with pytest.raises(UntrustedModelTypes, match=rf"{__name__}\._double"):
        trusted_types(model)


def test_train_model_exits_with_one_line_for_a_model_it_cannot_save_safely(
    tmp_path: Path, tracked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "TARGET_KIND", "number")
    monkeypatch.setattr(evaluation, "METRICS", {"mse": (_mse, False)})
    (tmp_path / "train").mkdir()
    _frame(None).to_csv(tmp_path / "train" / "train.csv", index=False)

    def train(train: pd.DataFrame, **hyperparameters: Any) -> Any:
        features, target = data.features_and_target(train)
        return make_pipeline(FunctionTransformer(_double), Ridge()).fit(features, target)

    monkeypatch.setattr("diabetes_regression.training.train_model", train)
    argv = ["--train_data", str(tmp_path / "train"), "--model", str(tmp_path / "model")]
    with pytest.raises(SystemExit) as exit_info:
        train_model.main(argv)
    assert str(exit_info.value.code).startswith("ERROR: the model holds types from outside sklearn")
    assert not (tmp_path / "model").exists()


@pytest.fixture
def saved_ridge(tmp_path: Path) -> Path:
    """A small model saved as train_model saves one (skops), to tamper with."""
    import mlflow.sklearn

    frame = _frame(None)
    features, target = frame.loc[:, list(FEATURE_COLUMNS)], frame[TARGET_COLUMN]
    folder = tmp_path / "models" / "model"
    # Requirements given: MLflow would otherwise infer them in a subprocess (about 5 s).
    mlflow.sklearn.save_model(
        Ridge().fit(features, target), str(folder), pip_requirements=["scikit-learn"]
    )
    return folder


def test_every_loader_refuses_a_model_that_trusts_more_than_train_model_would(
    saved_ridge: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = yaml.safe_load((saved_ridge / "MLmodel").read_text())
    document["flavors"]["sklearn"]["skops_trusted_types"] = ["builtins.eval"]
    (saved_ridge / "MLmodel").write_text(yaml.safe_dump(document))
    message = r"trusts types from outside sklearn, numpy, scipy: builtins\.eval"
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(saved_ridge.parent))
    with pytest.raises(UntrustedModelTypes, match=message):
        score.init()
    monkeypatch.setattr(sys, "argv", ["score_batch", "--model", str(saved_ridge)])
    with pytest.raises(UntrustedModelTypes, match=message):
        score_batch.init()
    argv = ["--model", str(saved_ridge), "--test_data", str(tmp_path), "--evaluation", "out"]
    (tmp_path / "test.csv").write_text(_frame(None).to_csv(index=False))
    monkeypatch.setattr(data, "TARGET_KIND", "number")
    with pytest.raises(SystemExit) as exit_info:
        evaluate_model.main(argv)
    assert str(exit_info.value.code).startswith(f"ERROR: {saved_ridge}: the model trusts types")


def test_a_model_saved_as_a_pickle_is_refused(tmp_path: Path) -> None:
    import mlflow.sklearn

    frame = _frame(None)
    folder = tmp_path / "model"
    model = Ridge().fit(frame.loc[:, list(FEATURE_COLUMNS)], frame[TARGET_COLUMN])
    mlflow.sklearn.save_model(
        model, str(folder), serialization_format="cloudpickle", pip_requirements=["scikit-learn"]
    )
    with pytest.raises(UntrustedModelTypes, match="saved as a cloudpickle, which can run any code"):
        check_saved_model(folder)
