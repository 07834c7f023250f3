"""`mlops online-endpoint`: local managed online endpoints, as `az ml online-endpoint`."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible, no_wait
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import generic_update, set_flag
from mlops.overrides import NO_OVERRIDES

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group(cls=AzGroup, name="online-endpoint")
def online_endpoint() -> None:
    """Manage local online endpoints: one key-checked scoring URI on 127.0.0.1 each."""


@online_endpoint.command()
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="Endpoint YAML.")
@click.option("-n", "--name", help="Endpoint name (overrides the file's).")
@click.option("--auth-mode", type=click.Choice(["key"]), help="Authentication mode.")
@set_flag
@azure_compatible
@no_wait
def create(file, name, auth_mode, overrides) -> dict:
    """Create an endpoint (or update an existing one); its gateway starts on a free port."""
    from mlops.online.endpoints import create_endpoint

    if file is None and overrides.set:
        from mlops.errors import UsageError

        raise UsageError("--set changes a YAML file: give -f/--file.")
    return create_endpoint(file, name=name, auth_mode=auth_mode, overrides=overrides)


@online_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path),
    help="Endpoint YAML (ignored fields: name).",
)
@click.option(
    "-r", "--traffic", help='Live traffic split, e.g. "blue=90 green=10" (adds up to 100).'
)
@click.option(
    "--mirror-traffic", help='Share of live traffic copied to a deployment, e.g. "green=10".'
)
@generic_update
@azure_compatible
@no_wait
def update(name, file, traffic, mirror_traffic, overrides) -> dict:
    """Change an endpoint's traffic split, mirrored share, description or tags."""
    from mlops.online.endpoints import create_endpoint, update_endpoint
    from mlops.online.traffic import parse_traffic

    if file is not None:
        # --set/--add/--remove change the file, as az ml applies them to it.
        create_endpoint(file, name=name, overrides=overrides)
        overrides = NO_OVERRIDES
    return update_endpoint(
        name,
        overrides,
        parse_traffic(traffic, "--traffic") if traffic is not None else None,
        parse_traffic(mirror_traffic, "--mirror-traffic") if mirror_traffic is not None else None,
    )


@online_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@azure_compatible
def show(name) -> dict:
    """Show an endpoint: scoring_uri, traffic, mirror_traffic, provisioning_state."""
    from mlops.online.endpoints import show_endpoint

    return show_endpoint(name)


@online_endpoint.command(name="list")
@azure_compatible
def list_command() -> list:
    """List endpoints."""
    from mlops.online.endpoints import list_endpoints

    return list_endpoints()


@online_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@azure_compatible
@no_wait
def delete(name, yes) -> None:
    """Delete an endpoint: stop its deployments and gateway, free their ports."""
    from mlops.online.endpoints import delete_endpoint

    if not yes:
        click.confirm(
            f"Delete online endpoint {name} and all its deployments?", abort=True, err=True
        )
    delete_endpoint(name)


@online_endpoint.command(name="get-credentials")
@click.option("-n", "--name", required=True, help="Endpoint name.")
@azure_compatible
def get_credentials(name) -> dict:
    """Print the endpoint's primaryKey and secondaryKey."""
    from mlops.online.endpoints import get_credentials as credentials

    return credentials(name)


@online_endpoint.command(name="regenerate-keys")
@click.option("-n", "--name", required=True, help="Endpoint name.")
@click.option(
    "--key-type",
    type=click.Choice(["primary", "secondary"]),
    default="primary",
    show_default=True,
    help="Which key to replace.",
)
@click.option("--key-value", help="The new key (at least 16 characters); a random one if left out.")
@azure_compatible
@no_wait
def regenerate_keys(name, key_type, key_value) -> None:
    """Replace the primary or secondary key; the old one gets 401 from the next request."""
    from mlops.online.endpoints import regenerate_keys as regenerate

    regenerate(name, key_type, key_value)


@online_endpoint.command()
@click.option("-n", "--name", required=True, help="Endpoint name.")
@click.option(
    "-r",
    "--request-file",
    required=True,
    type=click.Path(path_type=Path),
    help="JSON request body.",
)
@click.option(
    "-d", "--deployment-name", help="Send to this deployment, whatever the traffic split."
)
@azure_compatible
def invoke(name, request_file, deployment_name):
    """Score a request through the endpoint (with its key); prints the response body."""
    from mlops.online.endpoints import invoke as call

    return call(name, request_file, deployment_name)
