"""`mlops model`: register, list, show and download models, as `az ml model` does.

Models live in the MLflow model registry of the local store, so the MLflow UI shows them.
"""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.output import azure_compatible
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import generic_update, set_flag

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
@set_flag
@azure_compatible
def create(file, name, version, path, model_type, description, tags, overrides) -> dict:
    """Register a model version in MLflow's registry from a file, a folder or a job output."""
    from mlops.assets.lookup import parse_tags
    from mlops.assets.models import create_model
    from mlops.errors import UsageError

    if file is None and (name is None or path is None):
        raise UsageError("give -f/--file, or both --name and --path.")
    if file is None and overrides.set:
        raise UsageError("--set changes a YAML file: give -f/--file, or use the flags.")
    asset = create_model(
        file,
        name=name,
        version=version,
        path=path,
        model_type=model_type,
        description=description,
        tags=parse_tags(tags),
        updates=overrides,
    )
    return asset.to_az()


@model.command(name="list")
@click.option("-n", "--name", help="List every version of this model.")
@click.option("--include-archived", is_flag=True, help="Also list archived versions.")
@click.option("--archived-only", is_flag=True, help="List only archived versions.")
@azure_compatible
def list_command(name, include_archived, archived_only) -> list:
    """List registered models (latest version of each), or every version of one; archived
    versions are left out unless asked for."""
    from mlops.assets.lookup import containers
    from mlops.assets.models import list_models

    archived = "only" if archived_only else "include" if include_archived else "exclude"
    found = list_models(name, archived)
    return [asset.to_az() for asset in found] if name else containers(found)


@model.command()
@click.option("-n", "--name", required=True, help="Model name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
def show(name, version, label) -> dict:
    """Show one version of a model (-v VERSION or -l latest)."""
    from mlops.assets.lookup import show as show_asset

    return show_asset("model", name, version, label).to_az()


@model.command()
@click.option("-n", "--name", required=True, help="Model name.")
@click.option("-v", "--version", required=True, help="Version to update.")
@generic_update
@azure_compatible
def update(name, version, overrides) -> dict:
    """Update a model version's description or tags (--set, --add, --remove)."""
    from mlops.assets.models import update_model

    return update_model(name, version, overrides).to_az()


def _archive(name: str, version: str | None, label: str | None, archived: bool) -> None:
    from mlops.assets.models import archive_model, find_model
    from mlops.errors import UsageError

    if version is not None and label is not None:
        raise UsageError(f"give at most one of --version and --label for model {name!r}.")
    if label is not None:
        if label != "latest":
            raise UsageError(f"label {label!r} is not supported locally; only 'latest' is.")
        version = find_model(name, None, local=False).version
    archive_model(name, version, archived)


@model.command()
@click.option("-n", "--name", required=True, help="Model name.")
@click.option("-v", "--version", help="Version to archive (default: every version).")
@click.option("-l", "--label", help="Label of the version to archive: latest.")
def archive(name, version, label) -> None:
    """Archive a model version (or every version): hidden from list and @latest, still
    usable by its version, as az ml model archive does."""
    _archive(name, version, label, archived=True)


@model.command()
@click.option("-n", "--name", required=True, help="Model name.")
@click.option("-v", "--version", help="Version to restore (default: every version).")
@click.option("-l", "--label", help="Label of the version to restore: latest.")
def restore(name, version, label) -> None:
    """Restore an archived model version (or every version), as az ml model restore does."""
    _archive(name, version, label, archived=False)


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
