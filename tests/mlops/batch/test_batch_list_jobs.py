"""`mlops batch-deployment list-jobs`: the scoring jobs of one deployment, as az ml lists them
(the jobs are records as `batch-endpoint invoke` tags them: no pipeline runs here); and a
deployment's inline environment shown by its YAML fields, never as a Python repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import BATCH, BATCH_ENDPOINT, Cli

from mlops import jobstore as store
from mlops.batch.invoke import DEPLOYMENT_TAG, ENDPOINT_TAG

pytestmark = pytest.mark.slow  # registers a model and creates a deployment

IMAGE = "mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference"


def _job(name: str, start: str, tags: dict[str, str]) -> None:
    store.save({"name": name, "status": "Completed", "start_time": start, "tags": tags})


def test_list_jobs_lists_the_deployments_scoring_jobs_newest_first(trained_store: Path) -> None:
    cli = Cli()
    cli.ok("batch-endpoint", "create", "-f", str(BATCH / "endpoint.yml"))
    deployment = cli.ok("batch-deployment", "create", "-f", str(BATCH / "deployment.yml"))["name"]
    ours = {ENDPOINT_TAG: BATCH_ENDPOINT, DEPLOYMENT_TAG: deployment}
    _job("first", "2026-01-01T00:00:00", ours)
    _job("second", "2026-01-02T00:00:00", ours)
    _job("other", "2026-01-03T00:00:00", {**ours, DEPLOYMENT_TAG: "green"})
    _job("training", "2026-01-04T00:00:00", {})

    listed = cli.ok("batch-deployment", "list-jobs", "--endpoint", BATCH_ENDPOINT, "-n", deployment)
    assert [job["name"] for job in listed] == ["second", "first"]
    assert listed[0]["status"] == "Completed"
    assert listed[0]["tags"] == ours
    every = cli.ok("batch-endpoint", "list-jobs", "-n", BATCH_ENDPOINT, "--query", "[].name")
    assert every == ["other", "second", "first"]
    missing = cli.error("batch-deployment", "list-jobs", "-e", BATCH_ENDPOINT, "-n", "nope")
    assert "nope" in missing

    inline = Path(trained_store).parent / "green.yml"
    text = (BATCH / "deployment.yml").read_text().replace("name: blue", "name: green")
    text = text.replace("../../src", str((BATCH / "../../src").resolve()))
    inline.write_text(
        text.replace(
            "environment: azureml:tiny_score@latest",
            f"environment:\n  image: {IMAGE}",
        )
    )
    shown = cli.ok("batch-deployment", "create", "-f", str(inline))["environment"]
    assert shown == {"image": IMAGE}
