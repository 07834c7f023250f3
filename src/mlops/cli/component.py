"""`mlops component`: register, list, show, update, archive and restore components, as
`az ml component` does."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.lifecycle import (
    add_lifecycle_commands,
    archived_flags,
    max_results_flag,
    registry_flag,
)
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
@registry_flag
def create(file, name, version, overrides) -> dict:
    """Register a component version from its YAML."""
    from mlops.assets.components import create_component

    return create_component(file, name=name, version=version, updates=overrides).to_az()


@component.command(name="list")
@click.option("-n", "--name", help="List every version of this component.")
@archived_flags
@azure_compatible
@registry_flag
@max_results_flag
def list_command(name, archived) -> list:
    """List components (latest version of each), or every version of one; archived versions
    are left out unless asked for."""
    from mlops.assets.lookup import list_assets

    return list_assets("component", name, archived)


@component.command()
@click.option("-n", "--name", required=True, help="Name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
@registry_flag
def show(name, version, label) -> dict:
    """Show one version of a component (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("component", name, version, label).to_az()


add_lifecycle_commands(component, "component")
