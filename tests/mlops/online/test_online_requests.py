"""Bad scoring requests get a 400 naming the problem; the swagger shows the request schema."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from test_online_routing import auth, call

from conftest import Live

pytestmark = pytest.mark.slow

ROW = [0.01] * 10


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "could not be decoded as JSON"),
        (b'{"rows": []}', "data"),
        (json.dumps({"data": []}).encode(), '"data" is empty'),
        (json.dumps({"data": "x"}).encode(), '"data" must be a list of rows'),
        (json.dumps({"data": [ROW[:3]]}).encode(), "row 0 has 3 values; the model expects 10"),
        (json.dumps({"data": [ROW, ["a", *ROW[1:]]]}).encode(), "row 1, value 0 is not a number"),
        (json.dumps({"data": [[True, *ROW[1:]]]}).encode(), "row 0, value 0 is not a number"),
        (json.dumps({"data": [ROW, 5]}).encode(), "row 1 must be a list"),
    ],
)
def test_a_bad_request_is_a_400_that_says_what_is_wrong(
    online: Live, body: bytes, message: str
) -> None:
    status, _headers, answer = call(online.uri, auth(online), body)

    assert status == 400
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

    log = Path(state.load_deployment("diabetes-regression", "blue")["log"])
    line = next(line for line in log.read_text().splitlines()[::-1] if "req-42" in line)
    assert f"traceparent {traceparent} rows 2 scored" in line
