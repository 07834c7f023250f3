"""Real-time scoring: the Azure ML entry script the inference server runs around the model.

`init()` loads the registered MLflow model from `AZUREML_MODEL_DIR`; `run()` takes
`{"data": [[feature numbers], ...]}` and returns `{"result": [one prediction per row]}`: numbers
for a regression model, the model's own class labels for a classifier (an integer label stays an
integer, a text label stays text). A bad request gets a 400 that names the problem, never a 500.
run() reads the raw request and parses it with orjson, checking a well-formed one in bulk with
numpy (value by value only to name a problem), so a 1000-row request costs about a third of
json.loads + predict; the server's `/swagger.json` comes from the files swagger.py writes beside
the code.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from azureml_inference_server_http.api.aml_request import rawhttp
from azureml_inference_server_http.api.aml_response import AMLResponse
from flask import g

from diabetes_regression.model_types import check_saved_model

# A child of the server's logger, so request lines land in the deployment's log.
logger = logging.getLogger("azmlinfsrv.score")

# BYOC: a sample request row and response for your feature schema (the swagger shows them).
SAMPLE_ROWS = [[0.038, 0.051, 0.062, 0.022, -0.044, -0.035, -0.043, -0.003, 0.020, -0.018]]
SAMPLE_RESULT = {"result": [206.1]}
MAX_ROWS = 10_000
JSON_HEADERS = {"Content-Type": "application/json"}
# scikit-learn's warning for a matrix given to a model fitted on a frame; run() keeps the order.
_NO_FEATURE_NAMES = "X does not have valid feature names"

feature_names: list[str] = []
predict: Callable[[Any], Any]


def init() -> None:
    """Load the MLflow model Azure ML placed under AZUREML_MODEL_DIR (once per worker)."""
    global feature_names, predict
    import mlflow.pyfunc

    model_dir = Path(os.environ["AZUREML_MODEL_DIR"])
    found = sorted(model_dir.rglob("MLmodel"))
    if not found:
        raise RuntimeError(f"no MLflow model (an MLmodel file) under AZUREML_MODEL_DIR={model_dir}")
    check_saved_model(found[0].parent)
    model = mlflow.pyfunc.load_model(str(found[0].parent))
    schema = model.metadata.get_input_schema()
    feature_names = list(schema.input_names()) if schema else []
    predict = _fastest_predict(model)
    logger.info("loaded model from %s with %d features", found[0].parent, len(feature_names))


@rawhttp
def run(request: Any) -> AMLResponse:
    """Score rows of features; a request that is wrong gets a 400 naming the problem."""
    body = request.get_data()
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        problem = f"the request body could not be decoded as JSON: {error}"
        return _answer(request, 400, None, {"error": problem})
    if not isinstance(payload, dict) or "data" not in payload:
        problem = 'the request must be a JSON object {"data": [[features], ...]}'
        return _answer(request, 400, None, {"error": problem})
    data = payload["data"]
    rows = _rows(data, body)
    if rows is None:
        problem = request_problem(data, len(feature_names))
        if problem:
            return _answer(request, 400, data, {"error": problem})
        rows = np.array(data, dtype=float)
    return _answer(request, 200, data, {"result": json_values(predict(rows))})


def json_values(predictions: Any) -> Any:
    """Predictions as orjson writes them: a numeric array as it is (fast), labels as a list.

    A regression model's floats stay floats and a classifier's integer labels stay integers;
    text labels (and any other kind) become a list of Python values.
    """
    values = np.asarray(predictions)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()  # a one-column frame from a pyfunc model
    return values if values.dtype.kind in "biuf" else values.tolist()


def _fastest_predict(model: Any) -> Callable[[np.ndarray], Any]:
    """The fastest predict that gives the model's own answers, for rows run() has checked.

    pyfunc checks each input against the signature again, and scikit-learn checks a frame's
    column names; both cost more than a linear model's prediction. run() has already checked
    the rows and passes them in the signature's column order, so a scikit-learn model that
    predicts the same on the plain matrix as on the frame gets the matrix; any other model gets
    the frame through pyfunc.
    """
    import pandas as pd

    def predict_frame(rows: np.ndarray) -> Any:
        return model.predict(pd.DataFrame(rows, columns=feature_names))

    if "sklearn" not in model.metadata.flavors:
        return predict_frame
    estimator = model.get_raw_model()

    def predict_matrix(rows: np.ndarray) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_NO_FEATURE_NAMES, category=UserWarning)
            return estimator.predict(rows)

    sample = np.array(SAMPLE_ROWS, dtype=float)
    try:
        same = _same(predict_matrix(sample), predict_frame(sample))
    except Exception:  # a model that needs the frame (e.g. columns chosen by name)
        same = False
    return predict_matrix if same else predict_frame


def _same(first: Any, second: Any) -> bool:
    """Equal predictions: numbers within floating-point noise, labels exactly."""
    first, second = np.asarray(first), np.asarray(second)
    if first.dtype.kind in "iuf" and second.dtype.kind in "iuf":
        return first.shape == second.shape and bool(np.allclose(first, second))
    return bool(np.array_equal(first, second))


def _rows(data: Any, body: bytes) -> np.ndarray | None:
    """`data` as a matrix when it is a valid request (checked in bulk), else None.

    Every number is finite: the JSON parser refuses NaN, Infinity and overflowing numbers. JSON
    booleans would silently become 1.0 and 0.0 in a numeric matrix, so a body holding
    `true` or `false` anywhere takes the value-by-value check instead.
    """
    if not isinstance(data, list) or not 0 < len(data) <= MAX_ROWS:
        return None
    if b"true" in body or b"false" in body:
        return None
    try:
        rows = np.array(data)
    except ValueError:
        return None
    fits = rows.ndim == 2 and rows.shape[1] == len(feature_names) and rows.dtype.kind in "iuf"
    return rows if fits else None


def _answer(request: Any, status: int, data: Any, answer: dict[str, Any]) -> AMLResponse:
    """The JSON response, after one log line: request id, W3C traceparent when sent, row count,
    outcome."""
    request_id = getattr(g, "request_id", "") or request.headers.get("x-request-id", "")
    traceparent = request.headers.get("traceparent", "-")
    rows = len(data) if isinstance(data, list) else 0
    outcome = f"rejected: {answer['error']}" if "error" in answer else "scored"
    logger.info("request %s traceparent %s rows %d %s", request_id, traceparent, rows, outcome)
    body = orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY)
    return AMLResponse(body, status, response_headers=JSON_HEADERS)


def request_problem(data: Any, features: int) -> str | None:
    """Why `data` is not a list of rows of `features` finite numbers, or None when it is."""
    if not isinstance(data, list):
        return f'"data" must be a list of rows, got {type(data).__name__}'
    if not data:
        return '"data" is empty: send at least one row'
    if len(data) > MAX_ROWS:
        return f'"data" has {len(data)} rows; send at most {MAX_ROWS} per request'
    for index, row in enumerate(data):
        if not isinstance(row, list):
            return f"row {index} must be a list of {features} numbers, got {type(row).__name__}"
        if len(row) != features:
            return f"row {index} has {len(row)} values; the model expects {features}"
        for position, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"row {index}, value {position} is not a number: {value!r}"
            if not math.isfinite(value):
                return f"row {index}, value {position} is not finite: {value!r}"
    return None
