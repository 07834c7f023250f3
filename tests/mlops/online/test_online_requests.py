"""Through the gateway: a scoring script's 400 reaches the caller with its message, wrapped as
Azure wraps it (424 with the model's status in a header); the swagger route serves the script's
schema, and request headers reach the script's log. (The sample's own request checks are tested
in the sample's tests.)"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from tool_fixtures import ENDPOINT, Live, auth, call

pytestmark = pytest.mark.slow

ROW = [0.5, 0.5]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "could not be decoded as JSON"),
        (b'{"rows": []}', "data"),
        (json.dumps({"data": []}).encode(), '"data" must be a non-empty list of rows'),
        (json.dumps({"data": [ROW, [*ROW, 1.0]]}).encode(), "row 1 must hold 2 numbers"),
    ],
)
def test_a_bad_request_is_the_models_400_that_says_what_is_wrong(
    online: Live, body: bytes, message: str
) -> None:
    status, headers, answer = call(online.uri, auth(online), body)

    assert status == 424
    assert headers["ms-azureml-model-error-statuscode"] == "400"
    assert message in json.dumps(answer).replace('\\"', '"')


def test_the_swagger_shows_the_request_schema(online: Live) -> None:
    request = urllib.request.Request(
        online.uri.replace("/score", "/swagger.json"), headers=auth(online)
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        swagger = json.loads(response.read())

    schema = swagger["definitions"]["ServiceInput"]
    assert schema["properties"]["data"]["items"]["items"]["type"] == "number"


def test_each_request_is_logged_with_its_id_traceparent_and_rows(online: Live) -> None:
    from mlops.online import state

    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    call(online.uri, auth(online, traceparent=traceparent, **{"x-request-id": "req-42"}))

    log = Path(state.load_deployment(ENDPOINT, "blue")["log"])
    line = next(line for line in log.read_text().splitlines()[::-1] if "req-42" in line)
    assert f"traceparent {traceparent} rows 2 scored" in line
