"""The components' own commands, run by hand in sequence as separate processes (no engine).

This is what a pipeline node does, minus the engine: the command from the YAML with its
inputs and outputs filled in, run in the code folder, with MLflow pointed at a store.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.sample_only()]


def _run_step(repo_root: Path, step: str, values: dict[str, object]) -> str:
    """Fill in the component's command and run it in `src/`; return its stdout."""
    from azure.ai.ml import load_component

    component = load_component(repo_root / "components" / f"{step}.yml")
    command = component.command
    for kind, ports in (("inputs", component.inputs), ("outputs", component.outputs)):
        for name, port in ports.items():
            value = values.get(name, port.default if kind == "inputs" else None)
            assert value is not None, f"{step}: no value for {kind}.{name}"
            command = command.replace("${{" + f"{kind}.{name}" + "}}", shlex.quote(str(value)))
    argv = [sys.executable, *shlex.split(command)[1:]]
    result = subprocess.run(
        argv, cwd=repo_root / "src", env=os.environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{step} failed:\n{result.stderr[-2000:]}"
    return result.stdout


def test_steps_train_gate_and_register_in_sequence(
    repo_root: Path, sample_data: Path, tracked: str, tmp_path: Path
) -> None:
    work = tmp_path / "job"
    prep = {"raw_data": sample_data, "train_data": work / "train", "test_data": work / "test"}
    _run_step(repo_root, "prep_data", prep)

    model, evaluation = work / "model", work / "evaluation"
    train = {"train_data": work / "train", "alpha": 0.5, "model": model}
    _run_step(repo_root, "train_model", train)
    _run_step(
        repo_root,
        "evaluate_model",
        {"model": model, "test_data": work / "test", "evaluation": evaluation},
    )
    registered = _run_step(
        repo_root,
        "register_model",
        {
            "model": model,
            "evaluation": evaluation,
            "training_data": sample_data,
            "registration": work / "registration",
        },
    )
    # One round: a second, better one (alpha 0.01, "... vs production v1 ...") is what
    # test_pipeline_end_to_end.py's third run checks, on the same data; three more processes
    # that import MLflow and scikit-learn here (about 15 s) checked the same line again.
    assert registered == "Registered model diabetes_regression_model version 1 (mse 3562.96).\n"
    registration = json.loads((work / "registration" / "registration.json").read_text())
    assert (registration["registered"], registration["version"]) == (True, "1")
    assert not (repo_root / "src" / "mlruns").exists()
