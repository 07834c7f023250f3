"""docs/getting_started_local.md: the commands it shows run, and its lists match the code."""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


@pytest.fixture(scope="module")
def guide(repo_root: Path) -> str:
    return (repo_root / "docs" / "getting_started_local.md").read_text()


def _step_commands(guide: str) -> list[list[str]]:
    lines = re.findall(r"^(?:\.venv/bin/)?python -m (diabetes_regression\.\w+.*)$", guide, re.M)
    return [shlex.split(line) for line in lines]


@pytest.mark.sample_only("data", "model", "metrics")
def test_every_documented_step_command_parses(guide: str) -> None:
    commands = _step_commands(guide)
    modules = [command[0] for command in commands]
    assert modules == [
        "diabetes_regression.make_sample_data",
        "diabetes_regression.prep_data",
        "diabetes_regression.train_model",
        "diabetes_regression.evaluate_model",
        "diabetes_regression.register_model",
    ]
    for module, *argv in commands:
        parser = importlib.import_module(module).build_parser()
        parser.parse_args(argv)


@pytest.mark.sample_only("data")
@pytest.mark.slow
def test_documented_sample_data_command_writes_the_committed_file(
    guide: str, tmp_path: Path, sample_data: Path
) -> None:
    assert "\n.venv/bin/python -m diabetes_regression.make_sample_data\n" in guide
    subprocess.run(
        [sys.executable, "-m", "diabetes_regression.make_sample_data"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    written = tmp_path / "data" / "diabetes" / "diabetes.csv"
    assert written.read_bytes() == (sample_data / "diabetes.csv").read_bytes()


@pytest.mark.sample_only("model", "metrics")
def test_documented_set_values_are_pipeline_inputs(guide: str, repo_root: Path) -> None:
    pipeline = yaml.safe_load((repo_root / "pipelines" / "train.yml").read_text())
    evaluate = yaml.safe_load((repo_root / "components" / "evaluate_model.yml").read_text())
    settings = dict(re.findall(r"--set inputs\.(\w+)=(\S+)", guide))
    assert set(settings) == {"alpha", "metric", "run_evaluation", "training_data"}
    assert set(settings) <= set(pipeline["inputs"])
    assert settings["metric"] in evaluate["inputs"]["metric"]["enum"]
    listed = re.search(
        r"pipeline input with a default in `pipelines/train.yml`\n\((.*?)\)", guide, re.S
    )
    assert listed is not None
    assert re.findall(r"`(\w+)`", listed.group(1)) == list(pipeline["inputs"])


# Scoring belongs to the deployment guides, not this one.
SCORING_FILES = {
    "score.py",
    "smoke_test.py",
    "score_batch.py",
    "score_batch.yml",
    "batch_score.yml",
    "diabetes_scoring.yml",
}


def test_guide_lists_every_training_file_with_a_byoc_marker(guide: str, repo_root: Path) -> None:
    roots = ["src/diabetes_regression", "components", "pipelines", "environments", "data"]
    marked = {
        path.relative_to(repo_root).as_posix()
        for root in roots
        for path in (repo_root / root).rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".yml")
        and path.name not in SCORING_FILES
        and "BYOC:" in path.read_text()
    }
    assert marked
    for path in marked:
        assert f"`{path}`" in guide, f"{path} has a BYOC marker the guide does not list"
