"""score.py without a server: its request checks, its answers against the model's own, its
swagger files (the online tests run it in the real server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diabetes_regression import score
from diabetes_regression.data import FEATURE_COLUMNS
from diabetes_regression.score import request_problem

N = len(FEATURE_COLUMNS)
ROW = [0.01] * N


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([ROW], None),
        ([ROW, list(range(1, N + 1))], None),
        ("x", '"data" must be a list of rows, got str'),
        ({"a": 1}, '"data" must be a list of rows, got dict'),
        ([], '"data" is empty: send at least one row'),
        ([ROW[:-1]], f"row 0 has {N - 1} values; the model expects {N}"),
        ([ROW, (1,) * N], f"row 1 must be a list of {N} numbers, got tuple"),
        ([[None, *ROW[1:]]], "row 0, value 0 is not a number: None"),
        ([[*ROW[:-1], False]], f"row 0, value {N - 1} is not a number: False"),
        ([[float("nan"), *ROW[1:]]], "row 0, value 0 is not finite: nan"),
        ([ROW] * 10_001, '"data" has 10001 rows; send at most 10000 per request'),
    ],
)
def test_request_problem_names_what_is_wrong(data, problem) -> None:
    assert request_problem(data, N) == problem


@pytest.fixture(scope="module")
def scoring(tmp_path_factory: pytest.TempPathFactory):
    """score.py initialised, as the server does, on a Ridge model of the project's features
    saved the way train_model saves it; with that model loaded through pyfunc to compare
    answers. (test_any_model.py does the same with other model families.)"""
    import mlflow.pyfunc
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import Ridge

    generator = np.random.default_rng(3)
    features = pd.DataFrame(generator.normal(size=(200, N)), columns=list(FEATURE_COLUMNS))
    model = Ridge(alpha=0.5).fit(features, features.sum(axis=1) * 10 + 150)
    folder = tmp_path_factory.mktemp("model_dir") / "model"
    signature = infer_signature(features, model.predict(features))
    # Requirements given, as train_model gives them: MLflow would otherwise infer them in a
    # subprocess (about 5 s).
    mlflow.sklearn.save_model(
        model,
        str(folder),
        signature=signature,
        pip_requirements=mlflow.sklearn.get_default_pip_requirements(include_skops=True),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AZUREML_MODEL_DIR", str(folder.parent))
        score.init()
    return mlflow.pyfunc.load_model(str(folder)), features


def _post(body: bytes) -> tuple[int, dict]:
    import flask

    app = flask.Flask("scoring")
    with app.test_request_context("/score", method="POST", data=body):
        response = score.run(flask.request)
    return response.status_code, json.loads(response.get_data())


@pytest.mark.slow
def test_run_answers_as_the_model_itself(scoring):
    pyfunc_model, features = scoring
    rows = features.head(50).to_numpy().tolist()
    status, answer = _post(json.dumps({"data": rows}).encode())
    assert status == 200
    expected = pyfunc_model.predict(features.head(50))
    assert answer["result"] == pytest.approx(list(expected), rel=1e-12)


@pytest.mark.slow
def test_a_request_with_true_in_a_string_takes_the_careful_path_to_the_same_answer(scoring):
    _, features = scoring
    rows = features.head(3).to_numpy().tolist()
    plain = _post(json.dumps({"data": rows}).encode())
    careful = _post(json.dumps({"data": rows, "note": "true"}).encode())
    assert plain[0] == careful[0] == 200
    assert plain[1] == careful[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the request body could not be decoded as JSON"),
        (b'{"rows": [[1]]}', 'the request must be a JSON object {"data": [[features], ...]}'),
        (b"[1, 2]", 'the request must be a JSON object {"data": [[features], ...]}'),
        (json.dumps({"data": [[True, *ROW[1:]]]}).encode(), "row 0, value 0 is not a number"),
        (json.dumps({"data": [[*ROW[:-1], 1], ROW[:-1]]}).encode(), f"row 1 has {N - 1} values"),
        (json.dumps({"data": [ROW, ["1", *ROW[1:]]]}).encode(), "row 1, value 0 is not a number"),
        (json.dumps({"data": [ROW, [None, *ROW[1:]]]}).encode(), "row 1, value 0 is not a number"),
        (b'{"data": [[1e400' + b", 0" * (N - 1) + b"]]}", "the request body could not be"),
        (json.dumps({"data": [[float("nan"), *ROW[1:]]]}).encode(), "the request body could not"),
    ],
)
def test_run_rejects_a_bad_request_with_a_400_naming_the_problem(scoring, body, message):
    status, answer = _post(body)
    assert status == 400
    assert answer["error"].startswith(message)


def test_the_swagger_files_are_current():
    from diabetes_regression import swagger

    for version, name in swagger.FILES.items():
        written = json.loads((swagger.CODE_FOLDER / name).read_text())
        assert written == swagger.swagger(version), (
            f"{name} is stale: run python -m diabetes_regression.swagger"
        )
    served = swagger.swagger("2")["definitions"]["ServiceInput"]
    assert served["example"] == {"data": score.SAMPLE_ROWS}


def test_the_swagger_command_writes_what_is_committed(tmp_path: Path):
    from diabetes_regression import swagger

    written = swagger.write(tmp_path)
    assert [path.name for path in written] == list(swagger.FILES.values())
    for path in written:
        assert path.read_text() == (swagger.CODE_FOLDER / path.name).read_text()
