"""A step written as a Python function (mldesigner's @command_component), compiled with
`mldesigner compile` into a component YAML, validated and run in a pipeline by the engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from mlops.cli import main

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python_components"
STEP = EXAMPLE / "steps" / "profile_data.py"

PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu-cluster
inputs:
  data:
    type: uri_folder
    path: ./data
outputs:
  profile:
    type: uri_folder
jobs:
  profile_data:
    type: command
    component: ./components/profile_data/profile_data.yaml
    inputs:
      data: ${{parent.inputs.data}}
      max_missing: 0.5
    outputs:
      profile_folder: ${{parent.outputs.profile}}
"""


def _example_module():
    sys.path.insert(0, str(STEP.parent))
    try:
        import profile_data
    finally:
        sys.path.remove(str(STEP.parent))
    return profile_data


def test_the_step_function_profiles_three_rows_and_refuses_too_many_missing() -> None:
    profile = _example_module().profile
    frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": [4, 5, 6]})

    assert profile(frame, 0.5) == {
        "rows": 3,
        "columns": ["a", "b"],
        "missing": {"a": pytest.approx(1 / 3), "b": 0.0},
    }
    with pytest.raises(ValueError, match="columns missing more than 0% of their values"):
        profile(frame, 0.0)


@pytest.mark.slow
def test_a_compiled_step_validates_and_runs_in_a_pipeline(mlops_home: Path, tmp_path: Path) -> None:
    from mlops.engine import create_job
    from mlops.engine.store import output_path

    mldesigner = Path(sys.executable).parent / "mldesigner"
    compiled = subprocess.run(
        [mldesigner, "compile", "--source", str(STEP), "--output", str(tmp_path / "components")],
        cwd=tmp_path,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    component = tmp_path / "components" / "profile_data" / "profile_data.yaml"
    document = yaml.safe_load(component.read_text())
    assert next(iter(document)) == "$schema"
    assert document["inputs"]["max_missing"] == {
        "type": "number",
        "default": 0.0,
        "min": 0.0,
        "max": 1.0,
        "description": "Largest missing fraction.",
    }
    assert document["command"].startswith("mldesigner execute --source profile_data.py")
    validated = CliRunner().invoke(main, ["validate", str(component)])
    assert (validated.exit_code, validated.stdout) == (0, ""), validated.output

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.csv").write_text("a,b\n1.0,4\n,5\n3.0,6\n")
    (tmp_path / "pipeline.yml").write_text(PIPELINE)
    job = create_job(tmp_path / "pipeline.yml")

    assert job["status"] == "Completed", job
    written = json.loads((output_path(job["name"], "profile") / "profile.json").read_text())
    assert (written["rows"], written["columns"]) == (3, ["a", "b"])
    assert written["missing"]["a"] == pytest.approx(1 / 3)
