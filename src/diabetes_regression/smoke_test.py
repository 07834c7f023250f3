"""Smoke test of a deployed scoring service: the v2 form of MLOpsPython's smoke test.

Posts the sample request with the endpoint's key and a W3C traceparent (retrying while the
service warms up), and checks one finite prediction per row within the expected range, and that
a malformed request gets the model's 400 rather than a 500 (as Azure answers it: 424 with the
model's status in the `ms-azureml-model-error-statuscode` header). Exits non-zero with a
message saying what failed.

    python -m diabetes_regression.smoke_test --endpoint-name diabetes-regression
    python -m diabetes_regression.smoke_test --endpoint-name ENDPOINT -d green
    python -m diabetes_regression.smoke_test --scoring-uri http://HOST:PORT/score --key KEY

With --endpoint-name the scoring URI and key come from `$AZ_ML online-endpoint show` and
`get-credentials` (AZ_ML defaults to `mlops`; `AZ_ML="az ml"` tests an Azure endpoint, with the
workspace set by `az configure --defaults group=<rg> workspace=<ws>`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_REQUEST = (
    Path(__file__).resolve().parents[2] / "endpoints" / "online" / "sample-request.json"
)
# BYOC: the range a sane prediction of your model falls in (the diabetes target is 25..346);
# for a classifier, the labels it may answer instead (e.g. (0, 1, 2) or ("cat", "dog")).
EXPECTED_RANGE = (0.0, 400.0)
EXPECTED_LABELS: tuple[int | str, ...] = ()
ATTEMPTS = 5


class SmokeTestFailed(Exception):
    """The service answered, but not as it should."""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoint-name", help="An endpoint known to $AZ_ML (default mlops).")
    target.add_argument("--scoring-uri", help="A scoring URI to call directly (with --key).")
    parser.add_argument("--key", help="The endpoint key, with --scoring-uri.")
    parser.add_argument(
        "-d", "--deployment-name", help="Send to this deployment only (azureml-model-deployment)."
    )
    parser.add_argument(
        "--request-file", type=Path, default=DEFAULT_REQUEST, help="The request JSON."
    )
    return parser.parse_args(argv)


def endpoint_access(endpoint: str) -> tuple[str, str]:
    """The scoring URI and primary key of an endpoint, through $AZ_ML (mlops or az ml)."""
    tool = shlex.split(os.environ.get("AZ_ML", "mlops"))

    def ask(*arguments: str) -> str:
        done = subprocess.run(
            [*tool, *arguments, "-o", "tsv"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SmokeTestFailed(
                f"{' '.join(tool)} {' '.join(arguments)} failed: {done.stderr.strip()}"
            )
        return done.stdout.strip()

    uri = ask("online-endpoint", "show", "-n", endpoint, "--query", "scoring_uri")
    key = ask("online-endpoint", "get-credentials", "-n", endpoint, "--query", "primaryKey")
    return uri, key


def post(uri: str, key: str, body: bytes, deployment: str | None) -> tuple[int, Any]:
    """POST a body; returns the status and the parsed JSON answer (or its text)."""
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {key}",
        "traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01",
    }
    if deployment:
        headers["azureml-model-deployment"] = deployment
    request = urllib.request.Request(uri, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def post_malformed(uri: str, key: str, deployment: str | None) -> tuple[int, str | None, str]:
    """POST a request whose "data" is not a list of rows, malformed whatever the model's features.

    Returns:
        The status, the model's own status (the `ms-azureml-model-error-statuscode` header of a
        424) and the answer's text.
    """
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    if deployment:
        headers["azureml-model-deployment"] = deployment
    request = urllib.request.Request(uri, data=b'{"data": "not a list of rows"}', headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, None, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        model_status = error.headers.get("ms-azureml-model-error-statuscode")
        return error.code, model_status, error.read().decode(errors="replace")


def check_predictions(request: dict[str, Any], answer: Any) -> list[Any]:
    """One prediction per request row: each one of EXPECTED_LABELS when those are set, else a
    finite number within EXPECTED_RANGE.

    Raises:
        SmokeTestFailed: The answer is not that.
    """
    rows = len(request["data"])
    predictions = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(predictions, list) or len(predictions) != rows:
        raise SmokeTestFailed(f"expected {{'result': [{rows} predictions]}}, got {answer!r}")
    if EXPECTED_LABELS:
        for index, value in enumerate(predictions):
            # bool is an int in Python: True must not pass for the label 1.
            if isinstance(value, bool) or value not in EXPECTED_LABELS:
                raise SmokeTestFailed(
                    f"prediction {index} is {value!r}, not one of the labels {EXPECTED_LABELS}"
                )
        return predictions
    low, high = EXPECTED_RANGE
    for index, value in enumerate(predictions):
        if (
            not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise SmokeTestFailed(
                f"prediction {index} is {value!r}, outside the expected {low}..{high}"
            )
    return predictions


def smoke_test(uri: str, key: str, request_file: Path, deployment: str | None) -> list[Any]:
    """Run the checks; returns the predictions.

    Raises:
        SmokeTestFailed: A check failed.
    """
    body = request_file.read_bytes()
    request = json.loads(body)
    status, answer = 0, None
    for attempt in range(ATTEMPTS):
        try:
            status, answer = post(uri, key, body, deployment)
        except (urllib.error.URLError, OSError) as error:
            status, answer = 0, str(error)
        if status == 200:
            break
        time.sleep(min(2**attempt, 8))
    if status != 200:
        raise SmokeTestFailed(
            f"{uri} answered {status or 'nothing'} after {ATTEMPTS} attempts: {answer}"
        )
    predictions = check_predictions(request, answer)
    # An endpoint hands the model's 400 over as Azure does: 424, the 400 in a header.
    bad_status, model_status, bad_answer = post_malformed(uri, key, deployment)
    if (bad_status, model_status) != (424, "400"):
        raise SmokeTestFailed(
            f"a malformed request got {bad_status} (model status {model_status}), "
            f"not 424 with the model's 400: {bad_answer}"
        )
    return predictions


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    args = _arguments(argv)
    try:
        if args.scoring_uri:
            if not args.key:
                raise SmokeTestFailed("--scoring-uri needs --key")
            uri, key = args.scoring_uri, args.key
        else:
            uri, key = endpoint_access(args.endpoint_name)
        predictions = smoke_test(uri, key, args.request_file, args.deployment_name)
    except (SmokeTestFailed, OSError, ValueError) as error:
        sys.stderr.write(f"SMOKE TEST FAILED: {error}\n")
        return 1
    target = f" (deployment {args.deployment_name})" if args.deployment_name else ""
    sys.stderr.write(f"Smoke test passed{target}: {len(predictions)} predictions from {uri}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
