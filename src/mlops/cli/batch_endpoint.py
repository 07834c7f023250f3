"""`mlops batch-endpoint`: local batch endpoints, as `az ml batch-endpoint`."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import Result, azure_compatible, no_wait
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import generic_update, set_flag

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group(cls=AzGroup, name="batch-endpoint")
def batch_endpoint() -> None:
    """Manage local batch endpoints: `invoke` runs a deployment on a folder of files as a job."""


@batch_endpoint.command()
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="Endpoint YAML.")
@click.option("-n", "--name", help="Endpoint name (overrides the file's).")
@set_flag
@azure_compatible
@no_wait
def create(file, name, overrides) -> dict:
    """Create a batch endpoint (or update its description and tags)."""
    from mlops.batch.endpoints import create_endpoint

    if file is None and overrides.set:
        from mlops.errors import UsageError

        raise UsageError("--set changes a YAML file: give -f/--file.")
    return create_endpoint(file, name, overrides)


@batch_endpoint.command()
@click.option("-n", "--name", help="Endpoint name (default: the file's).")
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path),
    help="Endpoint YAML: its description and tags.",
)
@generic_update
@azure_compatible
@no_wait
def update(name, file, overrides) -> dict:
    """Change an endpoint's default deployment, description or tags."""
    from mlops.batch.endpoints import create_endpoint, update_endpoint
    from mlops.errors import UsageError

    if file is not None:
        # --set/--add/--remove change the file, as az ml applies them to it.
        return create_endpoint(file, name, overrides)
    if not name:
        raise UsageError("give -n/--name (or -f/--file).")
    return update_endpoint(name, overrides)


@batch_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@azure_compatible
def show(name) -> dict:
    """Show an endpoint: defaults.deployment_name, provisioning_state, tags."""
    from mlops.batch.endpoints import show_endpoint

    return show_endpoint(name)


@batch_endpoint.command(name="list-jobs")
@click.option("-n", "--name", required=True, help="Endpoint name.")
@azure_compatible
def list_jobs(name) -> list:
    """List the scoring jobs the endpoint's deployments ran (invoke), newest first."""
    from mlops.batch.invoke import deployment_jobs

    return deployment_jobs(name)


@batch_endpoint.command(name="list")
@azure_compatible
def list_command() -> list:
    """List batch endpoints."""
    from mlops.batch.endpoints import list_endpoints

    return list_endpoints()


@batch_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@azure_compatible
@no_wait
def delete(name, yes) -> None:
    """Delete an endpoint and its deployments (the jobs it ran stay)."""
    from mlops.batch.endpoints import delete_endpoint

    if not yes:
        click.confirm(
            f"Delete batch endpoint {name} and all its deployments?", abort=True, err=True
        )
    delete_endpoint(name)


@batch_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@click.option(
    "--input",
    "input_path",
    required=True,
    help="Folder (or file) to score, or a data asset (azureml:name@latest).",
)
@click.option(
    "--input-type",
    type=click.Choice(["uri_folder", "uri_file"]),
    default="uri_folder",
    show_default=True,
    help="Type of --input.",
)
@click.option("-d", "--deployment-name", help="Run this deployment instead of the default.")
@azure_compatible
def invoke(name, input_path, input_type, deployment_name) -> Result:
    """Run the deployment on the input as a local job; prints the job (output `score`)."""
    from mlops.batch.invoke import invoke as run

    record = run(name, input_path, deployment_name=deployment_name, input_type=input_type)
    return Result(record, 0 if record["status"] == "Completed" else 1)
