"""Every Azure ML file kind azure-ai-ml has a loader for is recognised, loaded with that loader,
checked by `mlops validate`, and refused by `mlops job create` when only Azure ML runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops.azure import loaders
from mlops.azure.kinds import KINDS, kind_from_schema
from mlops.cli import main
from mlops.documents import read_document
from mlops.errors import ProblemsFound
from mlops.validation import files

KINDS_FOLDER = Path(__file__).parent / "kinds"

# Each sample file and the kind it is.
SAMPLES = {
    "command_job.yml": "job",
    "pipeline_with_automl_node.yml": "job",
    "pipeline_with_sweep_and_spark_nodes.yml": "job",
    "sweep_job.yml": "job",
    "automl_classification_job.yml": "job",
    "automl_forecasting_job.yml": "job",
    "spark_job.yml": "job",
    "finetuning_job.yml": "job",
    "train_component.yml": "component",
    "parallel_component.yml": "component",
    "pipeline_component.yml": "component",
    "spark_component.yml": "component",
    "data.yml": "data",
    "model.yml": "model",
    "environment.yml": "environment",
    "online_endpoint.yml": "online_endpoint",
    "online_deployment.yml": "online_deployment",
    "batch_endpoint.yml": "batch_endpoint",
    "model_batch_deployment.yml": "batch_deployment",
    "pipeline_batch_deployment.yml": "batch_deployment",
    "schedule.yml": "schedule",
    "compute.yml": "compute",
    "datastore.yml": "datastore",
    "workspace.yml": "workspace",
    "registry.yml": "registry",
    "connection.yml": "connection",
    "model_package.yml": "model_package",
    "feature_store.yml": "feature_store",
    "feature_set.yml": "feature_set",
    "feature_store_entity.yml": "feature_store_entity",
    "index.yml": "index",
    "serverless_endpoint.yml": "serverless_endpoint",
    "marketplace_subscription.yml": "marketplace_subscription",
    "capability_host.yml": "capability_host",
}


@pytest.fixture
def kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mlops_home: Path) -> Path:
    # A ready MLflow store (mlops_home): `job create` on a new one starts the MLflow tracker
    # process first (2 s of CPU), which a refused job then stops unused.
    folder = tmp_path / "kinds"
    shutil.copytree(KINDS_FOLDER, folder)
    monkeypatch.chdir(folder)
    return folder


def test_every_sample_file_is_in_the_table() -> None:
    on_disk = {file.name for file in KINDS_FOLDER.glob("*.yml")} - {"mltable.yml"}
    assert on_disk == set(SAMPLES)
    assert set(SAMPLES.values()) <= set(KINDS)


@pytest.mark.parametrize(("name", "kind"), sorted(SAMPLES.items()))
def test_each_kind_is_recognised_from_its_schema_or_type(name: str, kind: str) -> None:
    assert kind_from_schema(read_document(KINDS_FOLDER / name).data) == kind


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        ({"type": "finetuning", "task": "text_completion"}, "job"),
        ({"type": "automl", "task": "regression"}, "job"),
        ({"type": "azure_blob", "account_name": "a"}, "datastore"),
        ({"type": "amlcompute", "size": "STANDARD_DS3_v2"}, "compute"),
        ({"type": "command", "command": "echo", "compute": "azureml:cpu"}, "job"),
        ({"type": "command", "command": "echo", "version": "1"}, "component"),
        ({"type": "command", "command": "echo"}, None),  # a job or a component: say so
        ({"type": "model", "endpoint_name": "e", "model": "m"}, "batch_deployment"),
        ({"endpoint_name": "e", "model": "m", "instance_type": "x"}, "online_deployment"),
        ({"type": "mlflow_model", "path": "./model"}, "model"),
        ({"$schema": "https://example.com/unknownThing.schema.json", "type": "command"}, None),
    ],
)
def test_files_without_a_schema_are_known_by_their_type_and_keys(document, kind) -> None:
    assert kind_from_schema(document) == kind


def test_validate_checks_every_kind_and_finds_them_valid(kinds: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "."])
    assert result.exit_code == 0, result.output
    # mltable.yml and feature_spec/FeatureSetSpec.yaml are counted too: beside the YAML, not
    # Azure ML entities, they have no checks.
    assert f"{len(SAMPLES) + 2} files valid" in result.output


def test_each_kind_is_loaded_with_its_own_loader(kinds: Path) -> None:
    names = {
        "sweep_job.yml": "SweepJob",
        "automl_forecasting_job.yml": "ForecastingJob",
        "spark_component.yml": "SparkComponent",
        "pipeline_batch_deployment.yml": "PipelineComponentBatchDeployment",
        "model_batch_deployment.yml": "ModelBatchDeployment",
        "schedule.yml": "JobSchedule",
        "compute.yml": "AmlCompute",
        "datastore.yml": "AzureBlobDatastore",
        "model_package.yml": "ModelPackage",
        "feature_store.yml": "FeatureStore",
        "feature_set.yml": "FeatureSet",
        "feature_store_entity.yml": "FeatureStoreEntity",
        "index.yml": "Index",
        "serverless_endpoint.yml": "ServerlessEndpoint",
        "marketplace_subscription.yml": "MarketplaceSubscription",
        "capability_host.yml": "CapabilityHost",
    }
    loaded = {name: type(loaders.load_entity(Path(name))).__name__ for name in names}
    assert loaded == names


def test_a_sweep_job_and_an_automl_node_are_checked_without_a_crash(kinds: Path) -> None:
    # Both crashed before: SweepJob has no `_validate`, an AutoML node no `component`.
    assert files.check_file(Path("sweep_job.yml")) == []
    assert files.check_file(Path("pipeline_with_automl_node.yml")) == []
    broken = Path("sweep_job.yml").read_text(encoding="utf-8").replace("goal: minimize", "")
    Path("sweep_job.yml").write_text(broken, encoding="utf-8")
    [problem] = files.check_file(Path("sweep_job.yml"))
    assert problem.field.startswith("objective")


def test_one_file_that_breaks_a_check_does_not_stop_the_others(
    kinds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("data.yml").write_text(
        Path("data.yml").read_text(encoding="utf-8").replace("uri_file", "uri_fiel"),
        encoding="utf-8",
    )
    real = files._check_file

    def crash_on_the_schedule(file: Path):
        if file.name == "schedule.yml":
            raise KeyError("trigger")
        return real(file)

    monkeypatch.setattr(files, "_check_file", crash_on_the_schedule)
    problems = files.validate_files([Path(".")])
    assert {(Path(p.file).name, p.field) for p in problems} == {
        ("schedule.yml", "file"),
        ("data.yml", "type"),
    }
    [crash] = [p for p in problems if Path(p.file).name == "schedule.yml"]
    assert crash.message == "mlops could not check this file (KeyError: 'trigger')"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("automl_classification_job.yml", "an AutoML job runs on Azure ML only"),
        ("spark_job.yml", "a Spark job runs on Azure ML only"),
        ("finetuning_job.yml", "a fine-tuning job runs on Azure ML only"),
        ("pipeline_with_automl_node.yml", "jobs.regress: an AutoML node runs on Azure ML only"),
        # The first node the engine cannot run is named (a sweep today, a Spark one in any case).
        ("pipeline_with_sweep_and_spark_nodes.yml", "node runs on Azure ML only"),
        ("schedule.yml", "this is a schedule file, not a job: it is created on Azure ML"),
        ("compute.yml", "this is a compute file, not a job: it is created on Azure ML"),
        ("data.yml", "this is a data asset file, not a job: create it with `mlops data create"),
        (
            "online_deployment.yml",
            "an online deployment file, not a job: create it with `mlops online-deployment create",
        ),
    ],
)
def test_job_create_refuses_what_only_azure_ml_runs_in_one_line(
    kinds: Path, mlops_home: Path, name: str, message: str
) -> None:
    result = CliRunner().invoke(main, ["job", "create", "-f", name])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0] and name in lines[0]
    assert not (mlops_home / "jobs").exists()


def test_a_file_of_another_kind_is_named_when_a_kind_is_expected(kinds: Path) -> None:
    with pytest.raises(ProblemsFound) as found:
        loaders.load_entity(Path("datastore.yml"), "data")
    [problem] = found.value.problems
    assert (problem.field, problem.line) == ("$schema", 1)
    assert problem.message == "this is a datastore file, not a data asset"
