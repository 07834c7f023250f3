"""One real local endpoint with two deployments (blue: model v1, green: model v2), shared by the
online tests of a module: each inference server takes seconds to start."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ENDPOINT = "diabetes-regression"
MODEL = "diabetes_regression_model"


@dataclass
class Live:
    """The shared endpoint: its state folder, URI and key."""

    home: Path
    uri: str
    key: str


def save_model(folder: Path, alpha: float) -> Path:
    """A small Ridge model on the sample data, saved as an MLflow model with a signature."""
    import mlflow.sklearn
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import Ridge

    frame = pd.read_csv(REPO / "data" / "diabetes" / "diabetes.csv")
    features, target = frame.drop(columns="Y"), frame["Y"]
    model = Ridge(alpha=alpha).fit(features, target)
    path = folder / f"model_alpha_{alpha}"
    mlflow.sklearn.save_model(
        model, str(path), signature=infer_signature(features, model.predict(features))
    )
    return path


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, _migrated_mlflow_database: Path
) -> Iterator[Live]:
    """Endpoint `diabetes-regression` with blue (v1, all traffic) and green (v2, no traffic)."""
    from mlops.assets.models import create_model
    from mlops.online import deployments, endpoints

    home = tmp_path_factory.mktemp("online") / ".mlops"
    home.mkdir()
    shutil.copyfile(_migrated_mlflow_database, home / "mlflow.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_HOME", str(home))
        patch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        for alpha in (1.0, 0.01):
            create_model(
                name=MODEL, path=str(save_model(home.parent, alpha)), model_type="mlflow_model"
            )
        created = endpoints.create_endpoint(REPO / "endpoints" / "online" / "endpoint.yml")
        try:
            for color, version in (("blue", 1), ("green", 2)):
                deployments.create_deployment(
                    REPO / "endpoints" / "online" / f"{color}-deployment.yml",
                    all_traffic=color == "blue",
                    set_values=[f"model=azureml:{MODEL}:{version}"],
                )
            key = endpoints.get_credentials(ENDPOINT)["primaryKey"]
            yield Live(home, created["scoring_uri"], key)
        finally:
            endpoints.delete_endpoint(ENDPOINT)


@pytest.fixture
def online(live: Live, monkeypatch: pytest.MonkeyPatch) -> Live:
    """The shared endpoint, with this test's MLOPS_HOME pointing at its state."""
    monkeypatch.setenv("MLOPS_HOME", str(live.home))
    return live
