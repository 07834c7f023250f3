"""The tests' online scoring script: the Azure ML contract at its smallest.

`init()` loads the MLflow model under AZUREML_MODEL_DIR; `run()` takes `{"data": [[x1, x2], ...]}`
and answers `{"result": [...]}`, or a 400 naming the problem. Each request leaves one log line
with its request id and traceparent, so tests can see which headers reached the server.
"""

import json
import logging
import os
from pathlib import Path

from azureml_inference_server_http.api.aml_request import rawhttp
from azureml_inference_server_http.api.aml_response import AMLResponse

logger = logging.getLogger("azmlinfsrv.score")
FEATURES = 2
model = None


def init():
    global model
    import mlflow.pyfunc

    found = sorted(Path(os.environ["AZUREML_MODEL_DIR"]).rglob("MLmodel"))
    model = mlflow.pyfunc.load_model(str(found[0].parent))


def problem(payload):
    if not isinstance(payload, dict) or "data" not in payload:
        return 'the request must be a JSON object {"data": [[x1, x2], ...]}'
    rows = payload["data"]
    if not isinstance(rows, list) or not rows:
        return '"data" must be a non-empty list of rows'
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != FEATURES:
            return f"row {index} must hold {FEATURES} numbers"
    return None


@rawhttp
def run(request):
    import pandas as pd

    try:
        payload = json.loads(request.get_data())
    except ValueError as error:
        answer, status = {"error": f"the request body could not be decoded as JSON: {error}"}, 400
    else:
        message = problem(payload)
        if message:
            answer, status = {"error": message}, 400
        else:
            frame = pd.DataFrame(payload["data"], columns=["x1", "x2"], dtype=float)
            answer, status = {"result": [float(p) for p in model.predict(frame)]}, 200
    rows = len(payload["data"]) if status == 200 else 0
    outcome = "scored" if status == 200 else f"rejected: {answer['error']}"
    logger.info(
        "request %s traceparent %s rows %d %s",
        request.headers.get("x-request-id", ""),
        request.headers.get("traceparent", "-"),
        rows,
        outcome,
    )
    return AMLResponse(json.dumps(answer), status, {"Content-Type": "application/json"})
