"""`mlops data`: register, list and show data assets, as `az ml data` does."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import set_flag

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.group(cls=AzGroup)
def data() -> None:
    """Manage data assets in the local store (az ml data)."""


@data.command()
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="Data asset YAML.")
@click.option("-n", "--name", help="Asset name (overrides the file's).")
@click.option("-v", "--version", help="Version; the next integer when not given.")
@click.option("-p", "--path", help="Local file or folder, or azureml://jobs/<job>/outputs/<name>.")
@click.option(
    "-t",
    "--type",
    "data_type",
    type=click.Choice(["uri_file", "uri_folder", "mltable"]),
    help="Data type (default uri_folder).",
)
@click.option("-d", "--description", help="Description.")
@click.option("--tags", multiple=True, help="Tags as key=value, space-separated.")
@set_flag
@azure_compatible
def create(file, name, version, path, data_type, description, tags, overrides) -> dict:
    """Register a data asset version: an immutable copy of its files, with a content hash."""
    from mlops.assets.data import create_data
    from mlops.assets.lookup import parse_tags
    from mlops.errors import UsageError

    if file is None and (name is None or path is None):
        raise UsageError("give -f/--file, or both --name and --path.")
    if file is None and overrides.set:
        raise UsageError("--set changes a YAML file: give -f/--file, or use the flags.")
    asset = create_data(
        file,
        name=name,
        version=version,
        path=path,
        data_type=data_type,
        description=description,
        tags=parse_tags(tags),
        updates=overrides,
    )
    return asset.to_az()


@data.command(name="list")
@click.option("-n", "--name", help="List every version of this asset.")
@azure_compatible
def list_command(name) -> list:
    """List data assets (latest version of each), or every version of one."""
    from mlops.assets.lookup import list_assets

    return list_assets("data", name)


@data.command()
@click.option("-n", "--name", required=True, help="Asset name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
def show(name, version, label) -> dict:
    """Show one version of a data asset (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("data", name, version, label).to_az()
