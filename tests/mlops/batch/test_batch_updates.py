"""`mlops batch-endpoint update` and `mlops batch-deployment update` with az's generic-update
flags (`--set`, `--add`, `--remove`, `--force-string`), as az ml has them."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_fixtures import BATCH, BATCH_ENDPOINT, Cli

pytestmark = pytest.mark.slow  # registers a model and creates deployments


def test_generic_updates_change_the_endpoint_and_the_deployment(trained_store: Path) -> None:
    cli = Cli()
    cli.ok("batch-endpoint", "create", "-f", str(BATCH / "endpoint.yml"))
    cli.ok("batch-deployment", "create", "-f", str(BATCH / "deployment.yml"))

    # The deployment's own YAML and overrides, updated without a file; the default stays unset.
    updated = cli.ok(
        *("batch-deployment", "update", "-n", "blue", "-e", BATCH_ENDPOINT),
        *("--set", "settings.mini_batch_size=5", "tags.stage=prod"),
    )
    assert updated["settings"]["mini_batch_size"] == 5
    assert updated["tags"] == {"stage": "prod"}
    again = cli.ok(
        *("batch-deployment", "update", "-n", "blue", "-e", BATCH_ENDPOINT),
        *("--remove", "tags.stage", "--set", "settings.error_threshold=3"),
    )
    assert again["settings"]["mini_batch_size"] == 5, "earlier overrides are kept"
    assert (again["tags"], again["settings"]["error_threshold"]) == ({}, 3)
    assert cli.ok("batch-endpoint", "show", "-n", BATCH_ENDPOINT)["defaults"] == {
        "deployment_name": None
    }
    from_file = cli.ok(
        "batch-deployment",
        "update",
        *("-f", str(BATCH / "deployment.yml"), "--remove", "settings.output_file_name"),
    )
    assert from_file["settings"]["output_file_name"] == "predictions.csv", "Azure's default"
    assert from_file["settings"]["mini_batch_size"] == 2, "the file, without earlier overrides"
    missing = cli.error("batch-deployment", "update", "--set", "tags.a=b", code=2)
    assert "-n/--name and -e/--endpoint-name" in missing

    endpoint = cli.ok(
        *("batch-endpoint", "update", "-n", BATCH_ENDPOINT),
        *("--set", "defaults.deployment_name=blue", "tags.stage=prod", "tags.build=42"),
        "--force-string",
    )
    assert endpoint["defaults"] == {"deployment_name": "blue"}
    assert endpoint["tags"] == {"stage": "prod", "build": "42"}
    removed = cli.ok("batch-endpoint", "update", "-n", BATCH_ENDPOINT, "--remove", "tags.stage")
    assert removed["tags"] == {"build": "42"}
    assert removed["defaults"] == {"deployment_name": "blue"}
    unknown = cli.fails(
        "batch-endpoint", "update", "-n", BATCH_ENDPOINT, "--set", "defaults.deployment_name=red"
    )
    assert "red" in unknown
    renamed = cli.error(
        "batch-endpoint", "update", "-n", BATCH_ENDPOINT, "--set", "name=other", code=2
    )
    assert "cannot change" in renamed
    described = cli.ok(
        *("batch-endpoint", "update", "-f", str(BATCH / "endpoint.yml")),
        *("--set", "description=from the file"),
    )
    assert described["description"] == "from the file"
    assert described["defaults"] == {"deployment_name": "blue"}, "the default stays"
    quiet = cli.ok(
        *("batch-deployment", "update", "-n", "blue", "-e", BATCH_ENDPOINT),
        *("--set", "tags.stage=dev", "--no-wait"),
    )
    assert quiet is None, "--no-wait prints nothing, as az ml does"
    shown = cli.ok("batch-deployment", "show", "-n", "blue", "-e", BATCH_ENDPOINT)
    assert shown["tags"] == {"stage": "dev"}
