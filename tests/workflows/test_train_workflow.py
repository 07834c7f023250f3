"""train.yml's own job steps, run locally: its `az ml` lines go to the local engine.

An `az` adapter on PATH turns `az ml <group> <verb> ...` into `mlops <group> <verb> ...`, whose
verbs and flags mirror az ml. The steps run as GitHub runs them (bash -e, GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY files), so the test checks the workflow's real --set overrides, download
path, artifact path and the outputs the deploy job is gated on. The checkout holds the tool's
tiny project (tests/mlops/fixture_project: train_model -> register_model) in place of the
sample, so the test checks the workflow's contract, whatever a user's pipeline does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tool_fixtures import MODEL, PROJECT, Cli

REPO = Path(__file__).resolve().parents[2]
TRAIN = yaml.safe_load((REPO / ".github" / "workflows" / "train.yml").read_text())["jobs"]

# `az ml job stream` waits for a job to end; a local job has ended when `create` returns.
AZ_ADAPTER = """#!/bin/sh
[ "$1" = ml ] || { echo "az adapter: only 'az ml' is available here" >&2; exit 2; }
shift
[ "$1 $2" = "job stream" ] && exit 0
exec mlops "$@"
"""

# The checkout: the workflow's own scripts, and the tiny project where the user's project sits.
CHECKOUT = {"pyproject.toml": REPO, "scripts": REPO}
CHECKOUT.update(dict.fromkeys(["components", "data", "environments", "pipelines", "src"], PROJECT))

pytestmark = pytest.mark.slow


def _step(name: str) -> dict:
    return next(step for step in TRAIN["train"]["steps"] if step.get("name") == name)


def _step_with(action: str) -> dict:
    return next(step for step in TRAIN["train"]["steps"] if action in step.get("uses", ""))


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


class Runner:
    """Runs named steps of the train job in one workspace, as the GitHub runner would."""

    def __init__(self, folder: Path) -> None:
        self.workspace = folder / "workspace"
        bin_folder = folder / "bin"
        bin_folder.mkdir()
        (bin_folder / "az").write_text(AZ_ADAPTER)
        (bin_folder / "az").chmod(0o755)
        self.summary = folder / "summary.md"
        self.environment = {
            **os.environ,
            "PATH": f"{bin_folder}:{Path(sys.executable).parent}:{os.environ['PATH']}",
            "COMPUTE": "cpu-cluster",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "contoso/mlops",
            "GITHUB_STEP_SUMMARY": str(self.summary),
        }
        # The checkout: the repository's folders, so the download lands here, not in the tree.
        self.workspace.mkdir()
        for entry, root in CHECKOUT.items():
            (self.workspace / entry).symlink_to(root / entry)

    def run(self, name: str, outputs: Path, **env: str) -> dict[str, str]:
        """Run one step's script with bash -e; return what it wrote to GITHUB_OUTPUT."""
        step = _step(name)
        script = step["run"].replace("python3 ", f"{sys.executable} ")
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=self.workspace,
            env={**self.environment, **step.get("env", {}), **env, "GITHUB_OUTPUT": str(outputs)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"step {name!r} failed:\n{done.stderr[-3000:]}"
        return _outputs(outputs) if outputs.exists() else {}

    def train(self, round_folder: Path) -> dict[str, str]:
        """The job, download and summary steps; what the last one hands the deploy job."""
        round_folder.mkdir()
        job = self.run("Run the training pipeline and wait for it", round_folder / "job.out")
        self.run(
            "Download the registration output",
            round_folder / "download.out",
            JOB_NAME=job["name"],
        )
        outputs = self.run(
            "Gate decision and metrics to the job summary", round_folder / "registration.out"
        )
        self.run(
            "Pipeline graph to the job summary", round_folder / "graph.out", JOB_NAME=job["name"]
        )
        return outputs


def test_train_registers_once_then_the_gate_keeps_production(
    mlops_home: Path, tmp_path: Path
) -> None:
    from mlops.assets.models import find_model

    # The data asset the workflow trains on, whatever its name, holds the tiny project's rows.
    script = _step("Run the training pipeline and wait for it")["run"]
    asset = re.search(r"training_data\.path=azureml:([\w.-]+)@latest", script).group(1)
    data = PROJECT / "data" / "training"
    # In-process: the data asset is the test's starting point, not what it checks.
    Cli().ok("data", "create", "-n", asset, "-p", str(data), "-o", "none")
    runner = Runner(tmp_path)

    first = runner.train(tmp_path / "first")
    assert first == {"registered": "true", "name": MODEL, "version": "1"}
    artifact = runner.workspace / _step_with("upload-artifact")["with"]["path"]
    assert artifact.is_file()
    tags = find_model(MODEL, "1").tags
    assert tags["build_id"] == "4242"
    assert tags["build_uri"] == "https://github.com/contoso/mlops/actions/runs/4242"
    summary = runner.summary.read_text()
    assert f"Registered **{MODEL}** version **1**." in summary
    assert "| error |" in summary and "no production model yet" in summary
    assert re.search(r'n\d -- "model → model" --> n\d', summary), "no pipeline graph in summary"
    assert '["register_model<br/>Completed' in summary

    (runner.workspace / "job").rename(tmp_path / "first" / "downloaded")
    second = runner.train(tmp_path / "second")
    assert second["registered"] == "false" and second["version"] == "", runner.summary.read_text()
    assert "does not beat production version 1" in runner.summary.read_text()
    assert TRAIN["deploy"]["if"] == "needs.train.outputs.registered == 'true'"
