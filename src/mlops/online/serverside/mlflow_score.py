"""The scoring script of a no-code MLflow deployment: a deployment whose model is an MLflow model
and which names no code_configuration, for which Azure ML generates the scoring script.

The request is Azure's: `{"input_data": ..., "params": {...}}`, where `input_data` is a pandas
DataFrame in the split orientation (`columns`, `data`, optional `index`), a list of records
(deprecated on Azure, still read), a tensor (a list of lists) or named tensors (a dict of lists).
The answer is the predictions as JSON (a list; a list of records for a DataFrame). The model's
signature is enforced by MLflow; a request it refuses, or that is not in one of those forms, gets
a 400 with `{"error": ...}` that says why, as the model's own error.

It runs inside the inference server, in the deployment's Python: it imports nothing from mlops.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from azureml_inference_server_http.api.aml_response import AMLResponse
from mlflow.exceptions import MlflowException
from mlflow.pyfunc import PyFuncModel, load_model
from mlflow.utils.proto_json_utils import (
    NumpyEncoder,
    _get_jsonable_obj,
    dataframe_from_parsed_json,
    parse_tf_serving_input,
)

model: PyFuncModel | None = None

SPLIT_KEYS = {"columns", "data", "index"}


def _model_folder(root: Path) -> Path:
    """The folder holding the MLmodel file under AZUREML_MODEL_DIR (Azure puts the model's
    folder one level down, under its own name)."""
    if (root / "MLmodel").is_file():
        return root
    found = sorted(path.parent for path in root.rglob("MLmodel"))
    if not found:
        raise RuntimeError(f"no MLmodel file under {root}: the model is not an MLflow model")
    return found[0]


def init() -> None:
    """Load the MLflow model once per server worker."""
    global model
    model = load_model(str(_model_folder(Path(os.environ["AZUREML_MODEL_DIR"]))))


def _parse(input_data: Any, schema: Any) -> Any:
    if isinstance(input_data, dict) and input_data and set(input_data) <= SPLIT_KEYS:
        return dataframe_from_parsed_json(input_data, pandas_orient="split", schema=schema)
    if isinstance(input_data, list) and input_data and all(isinstance(r, dict) for r in input_data):
        return dataframe_from_parsed_json(input_data, pandas_orient="records", schema=schema)
    if isinstance(input_data, (list, dict)) and input_data:
        return parse_tf_serving_input({"inputs": input_data}, schema=schema)
    raise ValueError(
        "input_data must be a DataFrame in the split orientation "
        '({"columns": [...], "data": [[...]]}), a list of rows, or a dict of named lists'
    )


def _refused(message: str) -> AMLResponse:
    """A 400 whose JSON body says what is wrong with the request."""
    return AMLResponse({"error": message}, 400, json_str=True)


def run(raw_data: str) -> AMLResponse:
    """Score one request; a malformed one gets a 400 naming what is wrong."""
    assert model is not None, "init() runs before run()"
    try:
        request = json.loads(raw_data)
    except ValueError as error:
        return _refused(f"the request body is not JSON: {error}")
    if not isinstance(request, dict) or "input_data" not in request:
        return _refused('the request must be a JSON object with an "input_data" key')
    params = request.get("params")
    if params is not None and not isinstance(params, dict):
        return _refused('"params" must be a JSON object')
    try:
        data = _parse(request["input_data"], model.metadata.get_input_schema())
        predictions = model.predict(data, params=params) if params else model.predict(data)
    except (MlflowException, ValueError, TypeError, KeyError) as error:
        message = error.message if isinstance(error, MlflowException) else str(error)
        return _refused(f"the model could not score input_data: {message}")
    body = json.dumps(_get_jsonable_obj(predictions, pandas_orient="records"), cls=NumpyEncoder)
    return AMLResponse(body, 200, {"Content-Type": "application/json"})
