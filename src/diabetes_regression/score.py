"""Real-time scoring: the Azure ML entry script the inference server runs around the model.

`init()` loads the registered MLflow model from `AZUREML_MODEL_DIR`; `run()` takes
`{"data": [[10 numbers], ...]}` and returns `{"result": [one prediction per row]}`. A bad request
gets a 400 that names the problem, never a 500. The request schema is published in the
server's `/swagger.json`.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any

from azureml_inference_server_http.api.aml_response import AMLResponse
from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
from inference_schema.schema_decorators import input_schema, output_schema

# A child of the server's logger, so request lines land in the deployment's log.
logger = logging.getLogger("azmlinfsrv.score")

# BYOC: a sample request row and response for your feature schema (the swagger shows them).
SAMPLE_ROWS = [[0.038, 0.051, 0.062, 0.022, -0.044, -0.035, -0.043, -0.003, 0.020, -0.018]]
SAMPLE_RESULT = {"result": [206.1]}
MAX_ROWS = 10_000

model: Any = None
feature_names: list[str] = []


class _Rows(StandardPythonParameterType):
    """Publishes the request schema in the swagger, but leaves checking the request to run(),
    so that a malformed one is a 400 saying what is wrong rather than the decorator's 500."""

    def __init__(self, sample: Any) -> None:
        super().__init__(sample)
        self.sample_data_type = object


def init() -> None:
    """Load the MLflow model Azure ML placed under AZUREML_MODEL_DIR (once per worker)."""
    global model, feature_names
    import mlflow.pyfunc

    model_dir = Path(os.environ["AZUREML_MODEL_DIR"])
    found = sorted(model_dir.rglob("MLmodel"))
    if not found:
        raise RuntimeError(f"no MLflow model (an MLmodel file) under AZUREML_MODEL_DIR={model_dir}")
    model = mlflow.pyfunc.load_model(str(found[0].parent))
    schema = model.metadata.get_input_schema()
    feature_names = list(schema.input_names()) if schema else []
    logger.info("loaded model from %s with %d features", found[0].parent, len(feature_names))


@input_schema("data", _Rows(SAMPLE_ROWS))
@output_schema(StandardPythonParameterType(SAMPLE_RESULT))
def run(data: Any) -> Any:
    """Score rows of features; a request that is wrong gets a 400 naming the problem."""
    problem = request_problem(data, len(feature_names))
    _log_request(len(data) if isinstance(data, list) else 0, problem)
    if problem:
        return AMLResponse({"error": problem}, 400, json_str=True)
    import pandas as pd

    frame = pd.DataFrame([[float(value) for value in row] for row in data], columns=feature_names)
    predictions = model.predict(frame)
    return {"result": [float(value) for value in predictions]}


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


def _log_request(rows: int, problem: str | None) -> None:
    """One line per request: request id, W3C traceparent when sent, row count, outcome."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return
    request_id = getattr(g, "request_id", "") or request.headers.get("x-request-id", "")
    traceparent = request.headers.get("traceparent", "-")
    outcome = f"rejected: {problem}" if problem else "scored"
    logger.info("request %s traceparent %s rows %d %s", request_id, traceparent, rows, outcome)
