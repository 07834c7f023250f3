"""A step written as a Python function (mldesigner's @command_component), compiled with
`mldesigner compile` into a component YAML, validated and run in a pipeline by the engine: the
commands docs/python_components.md shows, on the example in examples/python_components."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from mlops.cli import main

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "python_components"
STEP = EXAMPLE / "steps" / "profile_data.py"
GUIDE = REPO / "docs" / "python_components.md"
COMPILED = Path("components") / "profile_data" / "profile_data.yaml"


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


def _documented_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_guide_compiles_the_step_validates_it_and_runs_it_in_a_pipeline(
    mlops_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops.jobstore import output_path

    shutil.copytree(EXAMPLE, tmp_path / "examples" / "python_components")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    commands = _documented_commands()
    assert [command.split()[:2] for command in commands] == [
        ["mlops", "environment"],
        [".venv/bin/mldesigner", "compile"],
        ["mlops", "validate"],
        ["mlops", "job"],
    ]
    outputs = []
    for command in commands:
        arguments = shlex.split(command)
        if arguments[0] == ".venv/bin/mldesigner":
            arguments[0] = str(Path(sys.executable).parent / "mldesigner")
            done = subprocess.run(arguments, capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
        else:
            result = CliRunner().invoke(main, arguments[1:])
            assert result.exit_code == 0, f"{command}\n{result.output}"
            outputs.append(result.stdout)
    assert outputs[-1].strip() == "Completed"

    document = yaml.safe_load(COMPILED.read_text())
    assert next(iter(document)) == "$schema"
    assert document["inputs"]["max_missing"] == {
        "type": "number",
        "default": 0.0,
        "min": 0.0,
        "max": 1.0,
        "description": "Largest missing fraction.",
    }
    assert document["command"].startswith("mldesigner execute --source profile_data.py")
    assert sorted(path.name for path in COMPILED.parent.iterdir()) == [
        "profile_data.py",
        "profile_data.yaml",
    ]
    job = CliRunner().invoke(main, ["job", "list", "--query", "[0].name", "-o", "tsv"]).stdout
    written = json.loads((output_path(job.strip(), "profile") / "profile.json").read_text())
    assert (written["rows"], written["columns"]) == (3, ["age", "bmi", "bp"])
    assert written["missing"]["bmi"] == pytest.approx(1 / 3)
