"""`mlops batch-deployment`: local batch deployments, as `az ml batch-deployment`."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible, no_wait
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import generic_update, set_flag

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group(cls=AzGroup, name="batch-deployment")
def batch_deployment() -> None:
    """Manage local batch deployments: a model and a batch scoring script on an endpoint."""


@batch_deployment.command()
@click.option(
    "-f", "--file", "file", required=True, type=click.Path(path_type=Path), help="Deployment YAML."
)
@click.option("-e", "--endpoint-name", help="Endpoint name (overrides the file's).")
@click.option("-n", "--name", help="Deployment name (overrides the file's).")
@click.option("--set-default", is_flag=True, help="Make it the endpoint's default deployment.")
@set_flag
@azure_compatible
@no_wait
def create(file, endpoint_name, name, set_default, overrides) -> dict:
    """Create (or replace) a deployment; the model reference is resolved now."""
    from mlops.batch.deployments import create_deployment

    return create_deployment(
        file,
        overrides=overrides,
        endpoint_name=endpoint_name,
        name=name,
        make_default=set_default,
    )


@batch_deployment.command()
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path),
    help="Deployment YAML (default: the one it was created from, with its overrides).",
)
@click.option("-e", "--endpoint-name", help="Endpoint name (overrides the file's).")
@click.option("-n", "--name", help="Deployment name (overrides the file's).")
@generic_update
@azure_compatible
@no_wait
def update(file, endpoint_name, name, overrides) -> dict:
    """Update a deployment from its YAML, or its own YAML with --set/--add/--remove."""
    from mlops.batch.deployments import update_deployment

    return update_deployment(file, overrides=overrides, endpoint_name=endpoint_name, name=name)


@batch_deployment.command()
@click.option("-n", "--name", required=True, help="Deployment name.")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@azure_compatible
def show(name, endpoint_name) -> dict:
    """Show a deployment: model, code_configuration, settings."""
    from mlops.batch.deployments import show_deployment

    return show_deployment(endpoint_name, name)


@batch_deployment.command(name="list")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@azure_compatible
def list_command(endpoint_name) -> list:
    """List an endpoint's deployments."""
    from mlops.batch.deployments import list_deployments

    return list_deployments(endpoint_name)


@batch_deployment.command(name="list-jobs")
@click.option("-n", "--name", required=True, help="Deployment name.")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@azure_compatible
def list_jobs(name, endpoint_name) -> list:
    """List the scoring jobs a deployment ran (batch-endpoint invoke), newest first."""
    from mlops.batch.invoke import deployment_jobs

    return deployment_jobs(endpoint_name, name)


@batch_deployment.command()
@click.option("-n", "--name", required=True, help="Deployment name.")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@azure_compatible
@no_wait
def delete(name, endpoint_name, yes) -> None:
    """Delete a deployment."""
    from mlops.batch.deployments import delete_deployment

    if not yes:
        click.confirm(
            f"Delete batch deployment {name} of endpoint {endpoint_name}?", abort=True, err=True
        )
    delete_deployment(endpoint_name, name)
