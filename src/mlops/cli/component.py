"""`mlops component`: register, list and show components, as `az ml component` does."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import set_flag

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group(cls=AzGroup)
def component() -> None:
    """Manage components in the local store (az ml component)."""


@component.command()
@click.option(
    "-f", "--file", "file", type=click.Path(path_type=Path), required=True, help="component YAML."
)
@click.option("-n", "--name", help="Name (overrides the file's).")
@click.option("-v", "--version", help="Version (overrides the file's); else the next integer.")
@set_flag
@azure_compatible
def create(file, name, version, overrides) -> dict:
    """Register a component version from its YAML."""
    from mlops.assets.components import create_component

    return create_component(file, name=name, version=version, updates=overrides).to_az()


@component.command(name="list")
@click.option("-n", "--name", help="List every version of this component.")
@azure_compatible
def list_command(name) -> list:
    """List components (latest version of each), or every version of one."""
    from mlops.assets.lookup import list_assets

    return list_assets("component", name)


@component.command()
@click.option("-n", "--name", required=True, help="Name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
def show(name, version, label) -> dict:
    """Show one version of a component (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("component", name, version, label).to_az()
