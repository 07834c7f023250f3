"""`mlops data`: register, list, show, update, archive and restore data assets, as `az ml data`
does."""

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
@click.option(
    "--datastore",
    help="Datastore to upload to: locally only workspaceblobstore (the default) exists.",
)
@click.option(
    "--skip-validation",
    is_flag=True,
    help="Skip the check that an mltable folder holds an MLTable file, as az ml does.",
)
@set_flag
@azure_compatible
@registry_flag
def create(
    file, name, version, path, data_type, description, tags, datastore, skip_validation, overrides
) -> dict:
    """Register a data asset version: an immutable copy of its files, with a content hash."""
    from mlops.assets.data import create_data
    from mlops.assets.datastores import check_datastore
    from mlops.assets.lookup import parse_tags
    from mlops.errors import UsageError

    if file is None and (name is None or path is None):
        raise UsageError("give -f/--file, or both --name and --path.")
    if file is None and overrides.set:
        raise UsageError("--set changes a YAML file: give -f/--file, or use the flags.")
    check_datastore(datastore)
    asset = create_data(
        file,
        name=name,
        version=version,
        path=path,
        data_type=data_type,
        description=description,
        tags=parse_tags(tags),
        updates=overrides,
        skip_validation=skip_validation,
    )
    return asset.to_az()


@data.command(name="list")
@click.option("-n", "--name", help="List every version of this asset.")
@archived_flags
@azure_compatible
@registry_flag
@max_results_flag
def list_command(name, archived) -> list:
    """List data assets (latest version of each), or every version of one; archived versions
    are left out unless asked for."""
    from mlops.assets.lookup import list_assets

    return list_assets("data", name, archived)


@data.command()
@click.option("-n", "--name", required=True, help="Asset name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
@registry_flag
def show(name, version, label) -> dict:
    """Show one version of a data asset (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("data", name, version, label).to_az()


add_lifecycle_commands(data, "data")
