"""A no-code MLflow deployment: an MLflow model with no code_configuration, served with the
scoring script Azure ML generates for it (Azure's `input_data` request, the predictions as a
JSON list, MLflow's signature enforced; a refused request reaches the client as Azure's 424)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tool_fixtures import MODEL, ONLINE, Live, auth, call, register_model

pytestmark = pytest.mark.slow

ENDPOINT = "nocode-endpoint"
DEPLOYMENT = f"""\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: mlflow
endpoint_name: {ENDPOINT}
model: azureml:{MODEL}:1
instance_type: Standard_DS3_v2
instance_count: 1
"""


@pytest.fixture(scope="module")
def nocode(tmp_path_factory: pytest.TempPathFactory, _migrated_mlflow_database: Path) -> Iterator:
    from mlops.online import deployments, endpoints

    folder = tmp_path_factory.mktemp("nocode")
    home = folder / ".mlops"
    home.mkdir()
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    (folder / "endpoint.yml").write_text(
        (ONLINE / "endpoint.yml").read_text().replace("tiny-endpoint", ENDPOINT)
    )
    (folder / "deployment.yml").write_text(DEPLOYMENT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_HOME", str(home))
        patch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        register_model(folder, slope=1.0)  # y = x1 + x2
        created = endpoints.create_endpoint(folder / "endpoint.yml")
        try:
            shown = deployments.create_deployment(folder / "deployment.yml", all_traffic=True)
            key = endpoints.get_credentials(ENDPOINT)["primaryKey"]
            yield Live(home, created["scoring_uri"], key), shown
        finally:
            endpoints.delete_endpoint(ENDPOINT)


def _score(live: Live, request: object) -> tuple[int, dict, object]:
    return call(live.uri, auth(live), json.dumps(request).encode())


def test_the_deployment_shows_no_code_configuration(nocode) -> None:
    _live, shown = nocode
    assert shown["code_configuration"] is None
    assert shown["model"] == f"azureml:{MODEL}:1"
    assert shown["provisioning_state"] == "Succeeded"


@pytest.mark.parametrize(
    "input_data",
    [
        {"columns": ["x1", "x2"], "index": [0, 1, 2], "data": [[1, 2], [2, 0], [3, 1]]},
        {"columns": ["x2", "x1"], "data": [[2, 1], [0, 2], [1, 3]]},
        [{"x1": 1, "x2": 2}, {"x1": 2, "x2": 0}, {"x1": 3, "x2": 1}],
    ],
    ids=["split", "split-reordered", "records"],
)
def test_a_dataframe_request_gets_the_predictions_as_a_list(nocode, input_data) -> None:
    live, _shown = nocode
    status, _headers, answer = _score(live, {"input_data": input_data})
    assert status == 200, answer
    assert answer == pytest.approx([3.0, 2.0, 4.0])


@pytest.mark.parametrize(
    ("request_body", "reason"),
    [
        ({"input_data": {"columns": ["x1"], "data": [[1]]}}, "x2"),
        ({"data": [[1, 2]]}, '"input_data" key'),
        ({"input_data": []}, "input_data must be"),
    ],
    ids=["missing-column", "no-input-data", "empty"],
)
def test_a_request_the_model_refuses_is_azures_424_with_the_models_400(
    nocode, request_body, reason
) -> None:
    live, _shown = nocode
    status, headers, answer = _score(live, request_body)
    assert status == 424
    assert headers["ms-azureml-model-error-statuscode"] == "400"
    assert reason in answer["error"]


def test_a_registered_model_that_is_not_mlflow_needs_a_scoring_script(
    tmp_path: Path, mlops_home: Path
) -> None:
    """A local folder is caught by validation (tests/mlops/validation/broken); a registered
    model only when the deployment resolves it."""
    from mlops.assets.models import create_model
    from mlops.errors import MlopsError
    from mlops.online import deployments, endpoints

    model_folder = tmp_path / "model"
    model_folder.mkdir()
    (model_folder / "weights.txt").write_text("1.5 2.5\n")
    create_model(name="custom", path=str(model_folder), model_type="custom_model")
    (tmp_path / "endpoint.yml").write_text(
        (ONLINE / "endpoint.yml").read_text().replace("tiny-endpoint", ENDPOINT)
    )
    (tmp_path / "deployment.yml").write_text(
        DEPLOYMENT.replace(f"model: azureml:{MODEL}:1", "model: azureml:custom:1")
    )
    endpoints.create_endpoint(tmp_path / "endpoint.yml")
    try:
        with pytest.raises(MlopsError, match=r"not an MLflow model .*Fix: add code_configuration"):
            deployments.create_deployment(tmp_path / "deployment.yml")
    finally:
        endpoints.delete_endpoint(ENDPOINT)
