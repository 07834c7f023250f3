"""The endpoint's scoring URI: keys, traffic weights, the deployment header, mirroring."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tool_fixtures import ENDPOINT, REQUEST_FILE, Cli, Live, auth, call

from mlops.errors import MlopsError
from mlops.online import endpoints

pytestmark = pytest.mark.slow


def test_invoke_scores_each_row_and_names_the_deployment(online: Live) -> None:
    status, headers, body = call(online.uri, auth(online))

    assert status == 200
    assert headers["azureml-model-deployment"] == "blue"
    assert body["result"] == pytest.approx([2.0, 4.0]), "model v1: x1 + x2 for each row"
    assert endpoints.invoke(ENDPOINT, REQUEST_FILE) == body


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc", "Bearer "])
def test_a_missing_or_wrong_key_is_401(online: Live, header: str | None) -> None:
    status, _headers, body = call(online.uri, {"Authorization": header} if header else {})

    assert status == 401
    assert "key" in body["message"]


def test_the_secondary_key_works_too(online: Live) -> None:
    secondary = endpoints.get_credentials(ENDPOINT)["secondaryKey"]
    assert secondary != online.key
    assert call(online.uri, {"Authorization": f"Bearer {secondary}"})[0] == 200


def test_the_header_picks_a_deployment_whatever_the_traffic(online: Live) -> None:
    blue = call(online.uri, auth(online))[2]["result"]
    status, headers, green = call(online.uri, auth(online, **{"azureml-model-deployment": "green"}))

    assert (status, headers["azureml-model-deployment"]) == (200, "green")
    assert green["result"] != blue, "green serves model v2, blue v1"
    assert call(online.uri, auth(online, **{"azureml-model-deployment": "purple"}))[0] == 404


def test_traffic_weights_split_requests(online: Live) -> None:
    endpoints.update_traffic(ENDPOINT, {"blue": 50, "green": 50}, None)
    try:
        served = Counter(
            call(online.uri, auth(online))[1]["azureml-model-deployment"] for _ in range(60)
        )
    finally:
        endpoints.update_traffic(ENDPOINT, {"blue": 100}, None)

    assert set(served) == {"blue", "green"}
    assert 10 <= served["blue"] <= 50


def test_mirrored_traffic_reaches_green_without_touching_the_answer(online: Live) -> None:
    log = Path(endpoints.state.load_deployment(ENDPOINT, "green")["log"])
    before = log.read_text().count("POST /score 200")
    endpoints.update_traffic(ENDPOINT, None, {"green": 50})
    try:
        answers = [call(online.uri, auth(online)) for _ in range(40)]
    finally:
        endpoints.update_traffic(ENDPOINT, None, {})

    assert {headers["azureml-model-deployment"] for _status, headers, _body in answers} == {"blue"}
    assert all(status == 200 for status, _headers, _body in answers)
    assert log.read_text().count("POST /score 200") - before >= 5


@pytest.mark.parametrize(
    ("traffic", "mirror", "message"),
    [
        ({"blue": 60, "green": 30}, None, "adds up to 90"),
        ({"blue": 100, "purple": 0}, None, "no deployment named purple"),
        (None, {"green": 60}, "at most 50%"),
        (None, {"blue": 10}, "takes live traffic"),
    ],
)
def test_traffic_that_azure_would_refuse_is_refused(online: Live, traffic, mirror, message) -> None:
    with pytest.raises(MlopsError, match=message):
        endpoints.update_traffic(ENDPOINT, traffic, mirror)
    assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"blue": 100}


def test_update_applies_azs_generic_update_to_the_endpoint(online: Live) -> None:
    cli = Cli()
    update = ("online-endpoint", "update", "-n", ENDPOINT)
    try:
        shown = cli.ok(
            *update,
            *("--set", "traffic.blue=50", "traffic.green=50", "tags.stage=prod"),
            *("description=split", "--traffic", "blue=100 green=0"),
        )
        assert shown["traffic"] == {"blue": 100, "green": 0}, "--traffic wins over --set"
        assert (shown["tags"], shown["description"]) == ({"stage": "prod"}, "split")
        mirrored = cli.ok(*update, "--set", "mirror_traffic.green=10", "--remove", "tags.stage")
        assert (mirrored["mirror_traffic"], mirrored["tags"]) == ({"green": 10}, {})
        assert "adds up to 90" in cli.error(*update, "--set", "traffic.blue=90")
        assert "whole percent" in cli.error(*update, "--set", "traffic.blue=all", code=2)
        assert "cannot change" in cli.error(*update, "--set", "name=other", code=2)
        assert "key auth only" in cli.error(*update, "--set", "auth_mode=aml_token")
    finally:
        endpoints.update_traffic(ENDPOINT, {"blue": 100}, {})
    assert endpoints.show_endpoint(ENDPOINT)["traffic"] == {"blue": 100}


def test_a_regenerated_key_replaces_the_old_one_and_keeps_the_other(online: Live) -> None:
    before = endpoints.get_credentials(ENDPOINT)
    old_secondary = {"Authorization": f"Bearer {before['secondaryKey']}"}
    assert call(online.uri, old_secondary)[0] == 200

    assert (
        Cli().ok("online-endpoint", "regenerate-keys", "-n", ENDPOINT, "--key-type", "secondary")
        is None
    )
    after = endpoints.get_credentials(ENDPOINT)

    assert after["primaryKey"] == before["primaryKey"]
    assert after["secondaryKey"] != before["secondaryKey"]
    assert call(online.uri, old_secondary)[0] == 401
    assert call(online.uri, {"Authorization": f"Bearer {after['secondaryKey']}"})[0] == 200
    assert call(online.uri, auth(online))[0] == 200
    short = Cli().error(
        "online-endpoint", "regenerate-keys", "-n", ENDPOINT, "--key-value", "short", code=2
    )
    assert "at least 16 characters" in short
    assert endpoints.get_credentials(ENDPOINT) == after
