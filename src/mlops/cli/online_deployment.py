"""`mlops online-deployment`: the inference server around a model, as `az ml online-deployment`."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible, no_wait
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import generic_update, set_flag

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group(cls=AzGroup, name="online-deployment")
def online_deployment() -> None:
    """Manage local online deployments (the Azure ML inference server on 127.0.0.1)."""


@online_deployment.command()
@click.option(
    "-f", "--file", "file", required=True, type=click.Path(path_type=Path), help="Deployment YAML."
)
@click.option("-e", "--endpoint-name", help="Endpoint (overrides the file's endpoint_name).")
@click.option("-n", "--name", help="Deployment name (overrides the file's).")
@click.option(
    "--all-traffic", is_flag=True, help="Send all the endpoint's traffic to it once ready."
)
@set_flag
@azure_compatible
@no_wait
def create(file, endpoint_name, name, all_traffic, overrides) -> dict:
    """Deploy: check the YAML, start the server, return when it is ready (or fail with its log)."""
    from mlops.online.deployments import create_deployment

    return create_deployment(
        file, endpoint_name=endpoint_name, name=name, all_traffic=all_traffic, overrides=overrides
    )


@online_deployment.command()
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path),
    help="Deployment YAML (default: the one it was deployed from, with its overrides).",
)
@click.option("-e", "--endpoint-name", help="Endpoint (overrides the file's endpoint_name).")
@click.option("-n", "--name", help="Deployment name (overrides the file's).")
@generic_update
@azure_compatible
@no_wait
def update(file, endpoint_name, name, overrides) -> dict:
    """Replace a deployment with no dropped requests (new server first, then the switch)."""
    from mlops.online.deployments import update_deployment

    return update_deployment(file, endpoint_name=endpoint_name, name=name, overrides=overrides)


@online_deployment.command()
@click.option("-n", "--name", required=True, help="Deployment name.")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@azure_compatible
def show(name, endpoint_name) -> dict:
    """Show a deployment: model, settings, provisioning_state."""
    from mlops.online.deployments import show_deployment

    return show_deployment(endpoint_name, name)


@online_deployment.command(name="list")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@azure_compatible
def list_command(endpoint_name) -> list:
    """List an endpoint's deployments."""
    from mlops.online.deployments import list_deployments

    return list_deployments(endpoint_name)


@online_deployment.command()
@click.option("-n", "--name", required=True, help="Deployment name.")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@azure_compatible
@no_wait
def delete(name, endpoint_name, yes) -> None:
    """Stop and remove a deployment (refused while it takes traffic)."""
    from mlops.online.deployments import delete_deployment

    if not yes:
        click.confirm(f"Delete deployment {name} of {endpoint_name}?", abort=True, err=True)
    delete_deployment(endpoint_name, name)


@online_deployment.command(name="get-logs")
@click.option("-n", "--name", required=True, help="Deployment name.")
@click.option("-e", "--endpoint-name", required=True, help="Endpoint name.")
@click.option("-l", "--lines", type=click.IntRange(min=1), help="Only the last N lines.")
def get_logs(name, endpoint_name, lines) -> None:
    """Print the deployment's server log (init, requests, errors)."""
    from mlops.online.deployments import get_logs as logs

    click.echo(logs(endpoint_name, name, lines))
