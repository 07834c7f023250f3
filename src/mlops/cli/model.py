"""`mlops model`: register, list, show, update, archive, restore and download models, as
`az ml model` does.

Models live in the MLflow model registry of the local store, so the MLflow UI shows them.
"""

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
def model() -> None:
    """Manage models in the MLflow registry of the local store (az ml model)."""


@model.command()
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="Model YAML.")
@click.option("-n", "--name", help="Model name (overrides the file's).")
@click.option("-v", "--version", help="Version; the next integer when not given.")
@click.option("-p", "--path", help="Local file or folder, or azureml://jobs/<job>/outputs/<name>.")
@click.option(
    "-t",
    "--type",
    "model_type",
    type=click.Choice(["custom_model", "mlflow_model", "triton_model"]),
    help="Model type (default custom_model).",
)
@click.option("-d", "--description", help="Description.")
@click.option("--tags", multiple=True, help="Tags as key=value, space-separated.")
@click.option("-s", "--stage", help="The version's stage, e.g. Development or Production.")
@click.option(
    "--datastore",
    help="Datastore to upload to: locally only workspaceblobstore (the default) exists.",
)
@set_flag
@azure_compatible
@registry_flag
def create(
    file, name, version, path, model_type, description, tags, stage, datastore, overrides
) -> dict:
    """Register a model version in MLflow's registry from a file, a folder or a job output."""
    from mlops.assets.datastores import check_datastore
    from mlops.assets.lookup import parse_tags
    from mlops.assets.models import create_model
    from mlops.errors import UsageError

    if file is None and (name is None or path is None):
        raise UsageError("give -f/--file, or both --name and --path.")
    if file is None and overrides.set:
        raise UsageError("--set changes a YAML file: give -f/--file, or use the flags.")
    check_datastore(datastore)
    asset = create_model(
        file,
        name=name,
        version=version,
        path=path,
        model_type=model_type,
        description=description,
        tags=parse_tags(tags),
        updates=overrides,
        stage=stage,
    )
    return asset.to_az()


@model.command(name="list")
@click.option("-n", "--name", help="List every version of this model.")
@archived_flags
@azure_compatible
@registry_flag
@max_results_flag
def list_command(name, archived) -> list:
    """List registered models (latest version of each), or every version of one; archived
    versions are left out unless asked for."""
    from mlops.assets.lookup import list_assets

    return list_assets("model", name, archived)


@model.command()
@click.option("-n", "--name", required=True, help="Model name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
@registry_flag
def show(name, version, label) -> dict:
    """Show one version of a model (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("model", name, version, label).to_az()


@model.command()
@click.option("-n", "--name", required=True, help="Model name.")
@click.option("-v", "--version", required=True, help="Version to download.")
@click.option(
    "-p",
    "--download-path",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to download into; files land in <path>/<name>/.",
)
def download(name, version, download_path) -> None:
    """Download a model version's files to <download-path>/<name>/, as az ml does."""
    from mlops.assets.models import download_model

    download_model(name, version, download_path)


add_lifecycle_commands(model, "model")
