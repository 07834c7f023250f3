"""`mlops validate` is no stricter than Azure ML: files azure-ai-ml and the service accept are
valid here too, and what is only likely a mistake, or cannot be checked offline, is a warning
that does not fail the run. Each case is a pattern found in Azure ML's public samples, written
small here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.cli import main

SCHEMAS = "https://azuremlschemas.azureedge.net/latest"
COMPONENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: use_data
version: "1"
inputs:
  data:
    type: INPUT_TYPE
outputs:
  out:
    type: uri_folder
environment: azureml:sklearn-env:1
command: echo ${{inputs.data}} > ${{outputs.out}}/seen.txt
"""
PIPELINE_COMPONENT = f"""\
$schema: {SCHEMAS}/pipelineComponent.schema.json
type: pipeline
name: wrapped
version: "1"
inputs:
  data:
    type: uri_folder
jobs:
  use:
    type: command
    component: ./component.yml
    inputs:
      data: ${{{{parent.inputs.data}}}}
"""


def pipeline(jobs: str, inputs: str = "") -> str:
    return (
        f"$schema: {SCHEMAS}/pipelineJob.schema.json\ntype: pipeline\n"
        f"settings:\n  default_compute: azureml:cpu-cluster\n{inputs}jobs:\n{jobs}"
    )


def validate(folder: Path, name: str = "pipeline.yml"):
    return CliRunner().invoke(main, ["validate", str(folder / name)])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLOPS_HOME", str(tmp_path / ".mlops"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.csv").write_text("x,y\n1,2\n")
    (tmp_path / "component.yml").write_text(COMPONENT.replace("INPUT_TYPE", "uri_folder"))
    return tmp_path


def test_a_node_bound_to_an_automl_node_s_output_is_checked_without_a_crash(
    project: Path,
) -> None:
    (project / "pipeline.yml").write_text(
        pipeline(
            "  regress:\n    type: automl\n    task: regression\n    primary_metric: r2_score\n"
            "    target_column_name: y\n    training_data:\n      type: mltable\n"
            "      path: azureml:rows-table:1\n    limits:\n      max_trials: 2\n"
            "    outputs:\n      best_model:\n        type: mlflow_model\n"
            "  use:\n    type: command\n    component: ./component.yml\n"
            "    inputs:\n      data: ${{parent.jobs.regress.outputs.best_model}}\n"
        )
    )
    result = validate(project)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "1 file valid."


def test_a_registry_component_is_a_warning_and_job_create_still_says_why_it_cannot_run(
    project: Path,
    mlops_home: Path,  # a ready store: job create starts no MLflow tracker process to refuse
) -> None:
    reference = "azureml://registries/azureml/components/some_pipeline/labels/latest"
    (project / "pipeline.yml").write_text(
        pipeline(
            f"  tune:\n    type: pipeline\n    component: {reference}\n"
            "    inputs:\n      data:\n        type: uri_folder\n        path: ./data\n"
        )
    )
    result = validate(project)
    assert result.exit_code == 0, result.output
    assert result.stdout.split("pipeline.yml:")[1].startswith("8: jobs.tune.component: warning: ")
    assert "a registry component is not checked offline" in result.stdout
    assert result.stderr.strip() == "1 file valid (1 warning)."

    create = CliRunner().invoke(main, ["job", "create", "-f", str(project / "pipeline.yml")])
    assert create.exit_code == 1
    assert "registry component assets cannot be reached offline" in create.stderr
    assert not (project / ".mlops" / "jobs").exists() or not any(
        (project / ".mlops" / "jobs").iterdir()
    )


def test_an_unknown_input_of_a_pipeline_component_node_is_a_warning(project: Path) -> None:
    (project / "wrapped.yml").write_text(PIPELINE_COMPONENT)
    (project / "pipeline.yml").write_text(
        pipeline(
            "  wrapped:\n    type: pipeline\n    component: ./wrapped.yml\n"
            "    inputs:\n      data:\n        type: uri_folder\n        path: ./data\n"
            "      split_ratio: 0.2\n"
        )
    )
    result = validate(project)
    assert result.exit_code == 0, result.output
    assert "jobs.wrapped.inputs.split_ratio: warning: unknown input 'split_ratio'" in result.stdout
    assert result.stderr.strip() == "1 file valid (1 warning)."


def test_a_path_input_takes_a_table(project: Path) -> None:
    (project / "component.yml").write_text(COMPONENT.replace("INPUT_TYPE", "path"))
    (project / "pipeline.yml").write_text(
        pipeline(
            "  use:\n    type: command\n    component: ./component.yml\n"
            "    inputs:\n      data: ${{parent.inputs.table}}\n",
            inputs="inputs:\n  table:\n    type: mltable\n    path: azureml:rows-table:1\n",
        )
    )
    result = validate(project)
    assert result.exit_code == 0, result.output


def test_a_prompt_flow_node_takes_its_flow_s_inputs_and_job_create_refuses_it(
    project: Path,
) -> None:
    flow = project / "flow"
    flow.mkdir()
    (flow / "echo.py").write_text("def echo(text: str) -> str:\n    return text\n")
    (flow / "flow.dag.yaml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/promptflow/latest/Flow.schema.json\n"
        "inputs:\n  text:\n    type: string\noutputs:\n  said:\n    type: string\n"
        "    reference: ${echo.output}\nnodes:\n- name: echo\n  type: python\n"
        "  source:\n    type: code\n    path: echo.py\n  inputs:\n    text: ${inputs.text}\n"
    )
    (project / "pipeline.yml").write_text(
        pipeline(
            "  flow:\n    type: parallel\n    component: ./flow/flow.dag.yaml\n"
            "    inputs:\n      data: ${{parent.inputs.rows}}\n      text: ${data.text}\n",
            inputs="inputs:\n  rows:\n    type: uri_file\n    path: ./data/rows.csv\n",
        )
    )
    result = validate(project)
    assert result.exit_code == 0, result.output

    create = CliRunner().invoke(main, ["job", "create", "-f", str(project / "pipeline.yml")])
    assert create.exit_code == 1
    assert "jobs.flow: a prompt flow node runs on Azure ML only (az ml job create)" in create.stderr
    assert "Traceback" not in create.output


def test_a_triton_model_deploys_with_no_scoring_script(project: Path) -> None:
    (project / "models").mkdir()
    (project / "models" / "config.pbtxt").write_text('name: "densenet"\n')
    deployment = (
        f"$schema: {SCHEMAS}/managedOnlineDeployment.schema.json\nname: blue\n"
        "endpoint_name: my-endpoint\nmodel:\n  name: densenet\n  version: 1\n"
        "  path: ./models\n  type: {model_type}\n"
        "instance_count: 1\ninstance_type: Standard_NC4as_T4_v3\n"
    )
    (project / "triton.yml").write_text(deployment.format(model_type="triton_model"))
    (project / "custom.yml").write_text(deployment.format(model_type="custom_model"))

    assert validate(project, "triton.yml").exit_code == 0
    custom = validate(project, "custom.yml")
    assert custom.exit_code == 1
    assert "which needs an MLflow model" in custom.stdout


@pytest.mark.slow
def test_a_binding_given_as_an_input_s_path_feeds_the_node(project: Path) -> None:
    (project / "pipeline.yml").write_text(
        pipeline(
            "  first:\n    type: command\n    component: ./component.yml\n"
            "    inputs:\n      data:\n        type: uri_folder\n        path: ./data\n"
            "  second:\n    type: command\n    component: ./component.yml\n"
            "    inputs:\n      data:\n        type: uri_folder\n"
            "        path: ${{parent.jobs.first.outputs.out}}\n        mode: ro_mount\n"
        )
    )
    create = CliRunner().invoke(
        main, ["job", "create", "-f", str(project / "pipeline.yml"), "--query", "jobs"]
    )
    assert create.exit_code == 0, create.output
    nodes = json.loads(create.stdout)
    assert (nodes["first"]["status"], nodes["second"]["status"]) == ("Completed", "Completed")
    first_out = Path(nodes["first"]["outputs"]["out"])
    seen = (Path(nodes["second"]["outputs"]["out"]) / "seen.txt").read_text().strip()
    assert Path(seen).resolve() == first_out.resolve()
