"""The sample's model trained at several alphas, for the gate tests and the gate-race tests (the
`models` fixture in conftest.py). Sample-only: it trains the sample's Ridge on the sample data."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

# The sample's Ridge at these alphas, by the name the gate tests give each model (less
# regularised scores better on the sample data; base_again is base trained in another run).
ALPHAS = {
    "base": 0.5,
    "base_again": 0.5,
    "good": 0.2,
    "better": 0.05,
    "best": 0.001,
    "worse": 100.0,
}


class TrainedModels:
    """The sample data split once, and each named model trained on first use, then kept."""

    def __init__(self, folder: Path, store: Path, sample_data: Path) -> None:
        self.folder, self.store = folder, store
        self.models: dict[str, Path] = {"test": folder / "test"}
        from mlflow import MlflowClient

        self.experiment = MlflowClient(f"sqlite:///{store}").create_experiment(
            "gate", (folder / "artifacts").as_uri()
        )
        from diabetes_regression import prep_data

        with self._tracking():
            prep_data.main(
                [*("--raw_data", str(sample_data), "--train_data", str(folder / "train")),
                 *("--test_data", str(folder / "test"))]
            )  # fmt: skip

    @contextlib.contextmanager
    def _tracking(self) -> Iterator[None]:
        """MLflow pointed at the models' own store while they are made."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{self.store}")
            patch.setenv("MLFLOW_EXPERIMENT_ID", self.experiment)
            yield

    def __getitem__(self, name: str) -> Path:
        """The folder of model `name` (an ALPHAS key), or of the test split for "test"."""
        if name not in self.models:
            from diabetes_regression import train_model

            with self._tracking():
                train_model.main(
                    [*("--train_data", str(self.folder / "train"), "--alpha", str(ALPHAS[name])),
                     *("--model", str(self.folder / name))]
                )  # fmt: skip
            self.models[name] = self.folder / name
        return self.models[name]
