"""`mlops environment`: register, list and show environments, as `az ml environment` does."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group()
def environment() -> None:
    """Manage environments in the local store (az ml environment)."""


@environment.command()
@click.option(
    "-f", "--file", "file", type=click.Path(path_type=Path), required=True, help="environment YAML."
)
@click.option("-n", "--name", help="Name (overrides the file's).")
@click.option("-v", "--version", help="Version (overrides the file's); else the next integer.")
@azure_compatible
def create(file, name, version) -> dict:
    """Register a environment version from its YAML."""
    from mlops.assets.environments import create_environment

    return create_environment(file, name=name, version=version).to_az()


@environment.command(name="list")
@click.option("-n", "--name", help="List every version of this environment.")
@azure_compatible
def list_command(name) -> list:
    """List environments (latest version of each), or every version of one."""
    from mlops.assets.lookup import list_assets

    return list_assets("environment", name)


@environment.command()
@click.option("-n", "--name", required=True, help="Name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
def show(name, version, label) -> dict:
    """Show one version of a environment (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("environment", name, version, label).to_az()
