"""`mlops environment`: register, list, show, update, archive and restore environments, as
`az ml environment` does, plus their local builds (`local_build`) and `prune`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
def environment() -> None:
    """Manage environments in the local store (az ml environment) and their local builds."""


def _with_build(shown: dict[str, Any], asset: Any) -> dict[str, Any]:
    from mlops.assets.loading import load
    from mlops.environments.report import local_build

    entity = load(Path(asset.path), "environment", {})
    return {**shown, "local_build": local_build(entity, asset.reference)}


@environment.command()
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="environment YAML.")
@click.option("-n", "--name", help="Name (overrides the file's; required without one).")
@click.option("-v", "--version", help="Version (overrides the file's); else the next integer.")
@click.option("-i", "--image", help="Docker image, e.g. mcr.microsoft.com/azureml/...:latest.")
@click.option("-c", "--conda-file", help="Conda YAML file of the dependencies (with --image).")
@click.option("-b", "--build-context", help="Docker build context folder (instead of --image).")
@click.option("--dockerfile-path", help="The Dockerfile in the build context (default Dockerfile).")
@click.option("-d", "--description", help="Description.")
@click.option("--tags", multiple=True, help="Tags as key=value, space-separated.")
@click.option("--os-type", type=click.Choice(["linux", "windows"]), help="OS type (default linux).")
@click.option(
    "--build", is_flag=True, help="Build its virtualenv now (with uv), so jobs start at once."
)
@set_flag
@azure_compatible
@registry_flag
def create(
    file,
    name,
    version,
    image,
    conda_file,
    build_context,
    dockerfile_path,
    description,
    tags,
    os_type,
    build,
    overrides,
) -> dict:
    """Register an environment version from its YAML, or from --image/--conda-file or
    --build-context alone, as az ml does."""
    from mlops.assets.environments import EnvironmentFlags, create_environment
    from mlops.assets.lookup import parse_tags
    from mlops.errors import UsageError

    if file is None and overrides.set:
        raise UsageError("--set changes a YAML file: give -f/--file, or use the flags.")
    flags = EnvironmentFlags(
        image=image,
        conda_file=conda_file,
        build_context=build_context,
        dockerfile_path=dockerfile_path,
        description=description,
        tags=parse_tags(tags),
        os_type=os_type,
    )
    asset = create_environment(file, name=name, version=version, flags=flags, updates=overrides)
    if build:
        from mlops.assets.loading import load
        from mlops.environments.report import build_now

        build_now(load(Path(asset.path), "environment", {}), asset.reference)
    return _with_build(asset.to_az(), asset)


@environment.command(name="list")
@click.option("-n", "--name", help="List every version of this environment.")
@archived_flags
@azure_compatible
@registry_flag
@max_results_flag
def list_command(name, archived) -> list:
    """List environments (latest version of each), or every version of one, with `built`;
    archived versions are left out unless asked for."""
    from mlops.assets import catalog
    from mlops.assets.lookup import list_assets

    rows = list_assets("environment", name, archived)
    for row in rows:
        version = row.get("version") or row.get("latest_version")
        asset = catalog.find("environment", row["name"], str(version))
        row["built"] = _with_build({}, asset)["local_build"]["built"]
    return rows


@environment.command()
@click.option("-n", "--name", required=True, help="Name.")
@click.option("-v", "--version", help="Version to show.")
@click.option("-l", "--label", help="Label to show: latest.")
@azure_compatible
@registry_flag
def show(name, version, label) -> dict:
    """Show one version of a environment (-v VERSION or -l latest), with its local build."""
    from mlops.assets.lookup import show as show_asset

    asset = show_asset("environment", name, version, label)
    return _with_build(asset.to_az(), asset)


@environment.command()
@azure_compatible
def builds() -> list:
    """List the local builds in the cache: environment, path, size, last use."""
    from mlops.environments.report import all_builds

    return all_builds()


@environment.command()
@click.option(
    "--older-than-days",
    type=click.FloatRange(min=0),
    default=7.0,
    show_default=True,
    help="Remove builds no job or deployment has used for this many days.",
)
@click.option("--all", "everything", is_flag=True, help="Remove every build.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@azure_compatible
def prune(older_than_days, everything, yes) -> list:
    """Remove local builds no job needs (unused lately); uv's cache rebuilds them in seconds."""
    from mlops.environments.report import prune as prune_builds

    if not yes:
        what = "every local build" if everything else f"builds unused for {older_than_days} days"
        click.confirm(f"Remove {what}?", abort=True, err=True)
    return prune_builds(older_than_days, everything)


add_lifecycle_commands(environment, "environment")
