"""Every mistake issue 4 lists, in every file kind, reported by `mlops validate` with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tool_fixtures import project_copy

from mlops.cli import main

REPO_ROOT = Path(__file__).resolve().parents[3]
BROKEN = Path("tests/mlops/validation/broken")
WORKFLOWS = BROKEN / ".github/workflows"

# (file given to validate, file reported, line, field, message substring, fix substring)
CASES = [
    # components
    (
        "step_undeclared.yml",
        None,
        9,
        "command",
        "${{inputs.learning_rate}} names no declared input",
        "declare it under inputs:",
    ),
    (
        "component_required_in_block.yml",
        None,
        9,
        "command",
        "is required but inside $[[ ]]",
        "declare the input optional",
    ),
    (
        "component_optional_outside.yml",
        None,
        10,
        "command",
        "is optional but outside $[[ ]]",
        "$[[--alpha ${{inputs.alpha}}]]",
    ),
    ("component_unclosed_block.yml", None, 10, "command", "is never closed", "close each $[["),
    ("component_unknown_key.yml", None, 7, "retries", "unknown key", "fix its spelling"),
    ("component_bad_type.yml", None, 6, "inputs.alpha", "'numbr' passed is not in set", None),
    (
        "parallel_undeclared.yml",
        None,
        18,
        "task.program_arguments",
        "${{inputs.model}} names no declared input",
        "declare it",
    ),
    # pipelines
    (
        "pipeline_missing_job.yml",
        None,
        18,
        "jobs.train.inputs.data",
        "binds to a job that does not exist",
        "fix the job name",
    ),
    (
        "pipeline_missing_output.yml",
        None,
        23,
        "jobs.second.inputs.data",
        "job first has no output 'train_data' (it has: model)",
        "fix the output name",
    ),
    (
        "pipeline_job_input_binding.yml",
        None,
        24,
        "jobs.second.inputs.alpha",
        "job first has no input 'beta'",
        "fix the input name",
    ),
    (
        "pipeline_missing_parent_input.yml",
        None,
        19,
        "jobs.train.inputs.alpha",
        "${{parent.inputs.learning_rate}} binds to a pipeline input that does not exist",
        "declare learning_rate",
    ),
    (
        "pipeline_parent_output.yml",
        None,
        20,
        "jobs.train.outputs.model",
        "${{parent.outputs.trained}} binds to a pipeline output that is not declared",
        "declare trained",
    ),
    (
        "pipeline_literal_type.yml",
        None,
        19,
        "jobs.train.inputs.alpha",
        "'high' is not a valid number",
        "give a number",
    ),
    (
        "pipeline_literal_range.yml",
        None,
        19,
        "jobs.train.inputs.alpha",
        "11 is above the maximum 10",
        "within min 0",
    ),
    (
        "pipeline_parent_literal_range.yml",
        None,
        19,
        "jobs.train.inputs.alpha",
        "${{parent.inputs.alpha}}: -2 is below the minimum 0",
        "within min 0",
    ),
    (
        "pipeline_literal_enum.yml",
        None,
        19,
        "jobs.train.inputs.mode",
        "'medium' is not one of fast, slow",
        "use one of fast, slow",
    ),
    (
        "pipeline_unknown_node_key.yml",
        None,
        17,
        "jobs.train.retries",
        "unknown key on a node",
        "fix its spelling",
    ),
    (
        "pipeline_type_fit.yml",
        None,
        24,
        "jobs.second.inputs.note_file",
        "a mlflow_model cannot feed a uri_file input",
        "bind an output of that type",
    ),
    (
        "pipeline_undeclared_command_input.yml",
        "step_undeclared.yml",
        9,
        "command",
        "${{inputs.learning_rate}} names no declared input",
        "declare it",
    ),
    (
        "pipeline_parallel_node.yml",
        "parallel_undeclared.yml",
        18,
        "task.program_arguments",
        "${{inputs.model}} names no declared input",
        "declare it",
    ),
    (
        "pipeline_unbound_required.yml",
        None,
        14,
        "jobs.train.inputs.data",
        "Required input 'data'",
        None,
    ),
    # environment, data asset, endpoints and deployments
    (
        "environment_missing_conda.yml",
        None,
        5,
        "conda_file",
        "./no-such-conda.yml does not exist",
        "relative to this file",
    ),
    (
        "environment_no_image.yml",
        None,
        4,
        "image",
        "needs an image or a build context",
        "add image:",
    ),
    (
        "data_bad_type.yml",
        None,
        4,
        "type",
        "Must be one of: uri_file, uri_folder, mltable",
        "ml-cli-v2-data-yaml-reference",
    ),
    (
        "online_endpoint_bad_auth.yml",
        None,
        3,
        "auth_mode",
        "'keys' passed is not in set",
        "endpoint-online-yaml-reference",
    ),
    (
        "online_deployment_missing_code.yml",
        None,
        6,
        "code_configuration.code",
        "code folder ./no-such-folder does not exist",
        "a folder relative to this file",
    ),
    (
        "online_deployment_missing_script.yml",
        None,
        7,
        "code_configuration.scoring_script",
        "scoring script scor.py does not exist",
        "relative to the code folder",
    ),
    (
        "online_deployment_no_code_custom_model.yml",
        None,
        4,
        "model",
        "no code_configuration, so the scoring script is generated, which needs an MLflow model",
        "add code_configuration",
    ),
    (
        "batch_endpoint_bad_key.yml",
        None,
        5,
        "defaults.deployment",
        "Unknown field",
        "endpoint-batch-yaml-reference",
    ),
    (
        "batch_deployment_missing_script.yml",
        None,
        8,
        "code_configuration.scoring_script",
        "scoring script batch_score.py does not exist",
        "relative to the code folder",
    ),
    # files that are not Azure ML YAML
    (
        "no_schema.yml",
        None,
        None,
        "$schema",
        "cannot tell which Azure ML file this is",
        "start the file with the $schema URL",
    ),
    (
        "syntax_error.yml",
        None,
        2,
        "yaml",
        "invalid YAML: mapping values are not allowed",
        "indentation",
    ),
    # workflows
    (
        ".github/workflows/schema.yml",
        None,
        5,
        "jobs.train",
        "is not valid under any of the given schemas",
        "workflow-syntax-for-github-actions",
    ),
    (
        ".github/workflows/zizmor.yml",
        None,
        8,
        "jobs.train.steps[0].uses: zizmor unpinned-uses",
        "unpinned action reference",
        "docs.zizmor.sh",
    ),
    (
        ".github/workflows/az_ml_files.yml",
        None,
        9,
        "jobs.train.steps[0].run",
        "az ml is given tests/mlops/validation/broken/no-such-pipeline.yml, which does not exist",
        "from the repository root",
    ),
    (
        ".github/workflows/az_ml_files.yml",
        "online_endpoint_bad_auth.yml",
        3,
        "auth_mode",
        "'keys' passed is not in set",
        None,
    ),
]


@pytest.fixture
def validate(monkeypatch: pytest.MonkeyPatch):
    """Run `mlops validate` in-process from the repository root; returns (exit code, out, err)."""
    monkeypatch.chdir(REPO_ROOT)
    runner = CliRunner()

    def run(*arguments: str) -> tuple[int, str, str]:
        result = runner.invoke(main, ["validate", *arguments])
        assert "Traceback" not in result.stdout + result.stderr
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.mark.parametrize(
    ("given", "reported", "line", "field", "message", "fix"),
    [
        pytest.param(
            *case,
            id=f"{case[0]}:{case[3]}",
            # A workflow is checked by actionlint, zizmor and check-jsonschema: three processes
            # (6-8 s a case on a loaded machine), so the fast tier leaves these to the suite.
            marks=pytest.mark.slow if case[0].startswith(".github/") else (),
        )
        for case in CASES
    ],
)
def test_each_mistake_is_reported_where_it_is(validate, given, reported, line, field, message, fix):
    code, out, _ = validate(str(BROKEN / given))
    assert code == 1
    where = f"{BROKEN / (reported or given)}:{line}" if line else str(BROKEN / (reported or given))
    matching = [row for row in out.splitlines() if row.startswith(f"{where}: {field}: ")]
    assert matching, out
    assert message in matching[0]
    if fix:
        assert f" Fix: {fix}" in matching[0] or fix in matching[0].partition(" Fix: ")[2]


def test_a_good_component_is_clean(validate):
    code, out, err = validate(str(BROKEN / "step.yml"))
    assert (code, out) == (0, "")
    assert "1 file valid." in err


def test_a_conda_file_is_skipped(validate):
    code, out, err = validate(str(BROKEN / "conda.yml"))
    assert (code, out) == (0, "")
    assert "1 file valid." in err


def test_every_problem_is_reported_not_just_the_first(validate):
    files = [str(BROKEN / name) for name in ("pipeline_literal_enum.yml", "data_bad_type.yml")]
    code, out, err = validate(*files)
    assert code == 1
    assert [row.split(":")[0] for row in out.splitlines()] == files
    assert "2 problems in 2 files." in err


def test_a_missing_path_is_a_usage_error(validate):
    code, out, err = validate("no/such/file.yml")
    assert (code, out) == (2, "")
    assert "ERROR: no/such/file.yml does not exist" in err


def test_a_registered_component_is_checked_from_the_local_store(validate):
    runner = CliRunner()
    created = runner.invoke(
        main, ["component", "create", "-f", str(REPO_ROOT / BROKEN / "step.yml")]
    )
    assert created.exit_code == 0, created.output
    code, out, _ = validate(str(BROKEN / "pipeline_registered_component.yml"))
    assert code == 1
    assert "jobs.train.inputs.alpha: 12 is above the maximum 10" in out


def test_an_unregistered_version_of_a_registered_component_is_reported(validate, tmp_path):
    runner = CliRunner()
    runner.invoke(main, ["component", "create", "-f", str(REPO_ROOT / BROKEN / "step.yml")])
    pipeline = tmp_path / "pipeline.yml"
    text = (REPO_ROOT / BROKEN / "pipeline_registered_component.yml").read_text()
    pipeline.write_text(
        text.replace("azureml:step:1", "azureml:step:7").replace(
            "./code", str(REPO_ROOT / BROKEN / "code")
        )
    )
    code, out, _ = validate(str(pipeline))
    assert code == 1
    assert (
        "jobs.train.component: component asset 'step' has no version '7'; versions that exist: 1"
        in out
    )


def test_a_component_the_store_never_saw_is_left_to_azure(validate):
    code, out, _ = validate(str(BROKEN / "pipeline_registered_component.yml"))
    assert (code, out) == (0, "")


def test_a_project_validates_clean(validate, tmp_path, monkeypatch):
    monkeypatch.chdir(project_copy(tmp_path))
    code, out, err = validate()
    assert (code, out) == (0, ""), out
    assert "files valid." in err
