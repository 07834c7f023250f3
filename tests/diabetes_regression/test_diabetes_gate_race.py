"""Compare-and-register: runs whose gates compared against the same production model, then
register in any order or all at once, never make a worse model the latest."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from diabetes_regression import evaluate_model, register_model

# Its models (the shared `models` fixture: base, good, better, best) are the sample's Ridge at
# four alphas, on the sample data, compared by mse.
pytestmark = pytest.mark.sample_only()

MODEL_NAME = "diabetes_regression_model"


def _evaluate(models: dict[str, Path], model: str, out: Path) -> Path:
    evaluation = out / model / "evaluation"
    evaluate_model.main(
        [*("--model", str(models[model]), "--test_data", str(models["test"])),
         *("--model_name", MODEL_NAME, "--evaluation", str(evaluation))]
    )  # fmt: skip
    return evaluation


def _register_argv(models, model: str, evaluation: Path, out: Path, data: Path) -> list[str]:
    return [
        "--model", str(models[model]), "--evaluation", str(evaluation),
        "--training_data", str(data), "--model_name", MODEL_NAME,
        "--registration", str(out / model / "registration"),
    ]  # fmt: skip


def _registration(out: Path, model: str) -> dict:
    return json.loads((out / model / "registration" / "registration.json").read_text())


def _versions() -> list[tuple[int, float]]:
    """(version, mse) of every registered version, oldest first."""
    from mlflow import MlflowClient

    versions = MlflowClient().search_model_versions(f"name='{MODEL_NAME}'")
    return sorted((int(v.version), float(v.tags["mse"])) for v in versions)


def _first_version(models, out: Path, data: Path) -> None:
    evaluation = _evaluate(models, "base", out)
    register_model.main(_register_argv(models, "base", evaluation, out, data))
    assert [version for version, _ in _versions()] == [1]


@pytest.mark.slow  # trains four models and runs the gate twice
def test_a_run_that_no_longer_beats_production_is_not_registered(
    models, tracked, tmp_path, sample_data
):
    _first_version(models, tmp_path, sample_data)
    # Both gates compare against version 1 and say register...
    gates = {name: _evaluate(models, name, tmp_path) for name in ("good", "best")}
    decisions = {
        name: json.loads((folder / "decision.json").read_text()) for name, folder in gates.items()
    }
    assert all(d["register"] and d["production_version"] == "1" for d in decisions.values())
    first, late_one = sorted(decisions, key=lambda name: decisions[name]["new_value"])

    # ... then the better one registers first: the other no longer beats production.
    register_model.main(_register_argv(models, first, gates[first], tmp_path, sample_data))
    register_model.main(_register_argv(models, late_one, gates[late_one], tmp_path, sample_data))

    late = _registration(tmp_path, late_one)
    assert late["registered"] is False
    assert "no longer beats production: version 2" in late["reason"]
    assert late["compared_with"]["version"] == "2"
    assert late["compared_with"]["source"] == "version 2's tags"
    assert late["compared_with"]["value"] == pytest.approx(decisions[first]["new_value"], 1e-5)
    assert _registration(tmp_path, first)["compared_with"] == {
        "version": "1",
        "metric": "mse",
        "value": decisions[first]["production_value"],
        "source": "the gate",
    }
    assert [version for version, _ in _versions()] == [1, 2]


@pytest.mark.slow
def test_concurrent_registrations_never_make_a_worse_model_the_latest(
    models, tracked, tmp_path, sample_data
):
    _first_version(models, tmp_path, sample_data)
    candidates = ("good", "better", "best")
    gates = {name: _evaluate(models, name, tmp_path) for name in candidates}
    quality = {
        name: json.loads((gates[name] / "decision.json").read_text())["new_value"]
        for name in candidates
    }

    command = [sys.executable, "-m", "diabetes_regression.register_model"]
    environment = {**os.environ, "PYTHONPATH": str(Path(register_model.__file__).parents[1])}
    running = [
        subprocess.Popen(
            command + _register_argv(models, name, gates[name], tmp_path, sample_data),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in reversed(candidates)  # the worst starts first
    ]
    for process in running:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err

    versions = _versions()
    for (_, replaced), (_, successor) in itertools.pairwise(versions):
        assert successor < replaced, f"a worse model was registered after a better one: {versions}"
    assert versions[-1][1] == pytest.approx(min(quality.values()), 1e-5)


def test_the_register_step_and_mlops_model_create_take_one_lock(tracked, tmp_path):
    """A registration by the register step (under `registry_lock`) and one by `mlops model
    create` of the same name at the same time: the second waits for the first, and they get
    distinct versions."""
    from mlflow import MlflowClient

    from diabetes_regression.registry import model_versions, registry_lock
    from mlops.assets.models import create_model

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.txt").write_text("weights\n")
    create_model(name="warm-up", path=str(folder))  # MLflow's first use is slow: not timed
    created: list[str] = []
    creating = threading.Thread(
        target=lambda: created.append(create_model(name=MODEL_NAME, path=str(folder)).version)
    )
    with registry_lock():
        assert model_versions(MODEL_NAME) == []
        creating.start()
        creating.join(timeout=2.0)
        assert creating.is_alive() and created == []  # model create waits for the step
        client = MlflowClient()
        client.create_registered_model(MODEL_NAME)
        step = client.create_model_version(MODEL_NAME, source=str(folder), tags={"by": "step"})
    creating.join(timeout=60)
    assert (str(step.version), created) == ("1", ["2"])
    assert sorted(int(version) for version, _ in model_versions(MODEL_NAME)) == [1, 2]


def test_the_register_lock_is_beside_the_store_of_a_uri_with_a_query(tmp_path, monkeypatch):
    """`?timeout=20` is SQLAlchemy's connection option, not part of the store's file name: the
    step locked `m.db?timeout=20.register.lock`, `mlops model create` `m.db.register.lock`."""
    from diabetes_regression.registry import registry_lock
    from mlops import tracking

    uri = f"sqlite:///{tmp_path}/m.db?timeout=20"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", uri)
    with registry_lock():
        pass
    assert tracking.registry_lock_file() == tmp_path / "m.db.register.lock"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["m.db.register.lock"]
