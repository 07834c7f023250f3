"""The verbs and flags every asset group shares, as az ml has them: `archive`, `restore` and
`update`; `list --include-archived/--archived-only/--max-results`; `--registry-name` (refused:
registries live on Azure ML only)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from mlops.cli.output import azure_compatible
from mlops.cli.updates import generic_update
from mlops.errors import MlopsError

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


def archived_flags(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give a list verb az ml's `--include-archived` and `--archived-only`; the command
    receives `archived`: "exclude" (az ml's default), "include" or "only"."""

    @click.option("--include-archived", is_flag=True, help="Also list what is archived.")
    @click.option("--archived-only", is_flag=True, help="List only what is archived.")
    @functools.wraps(function)
    def command(*args: Any, include_archived: bool, archived_only: bool, **kwargs: Any) -> Any:
        archived = "only" if archived_only else "include" if include_archived else "exclude"
        return function(*args, archived=archived, **kwargs)

    return command


def max_results_flag(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give an asset list verb az ml's `-r/--max-results`: at most that many entries, newest
    first as listed. Place it below `azure_compatible`, so `--query` sees the cut list."""

    @click.option(
        "-r", "--max-results", "max_results", type=click.IntRange(min=1), help="Most listed."
    )
    @functools.wraps(function)
    def command(*args: Any, max_results: int | None, **kwargs: Any) -> Any:
        return function(*args, **kwargs)[:max_results]

    return command


def registry_flag(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give a create/show/list verb az ml's `--registry-name`, refused in one line: a registry
    is an Azure resource shared by workspaces; the local store is one workspace. Place it
    below `azure_compatible`."""

    @click.option(
        "--registry-name",
        help="Refused locally: registries exist only on Azure ML (use the local store).",
    )
    @functools.wraps(function)
    def command(*args: Any, registry_name: str | None, **kwargs: Any) -> Any:
        if registry_name is not None:
            raise MlopsError(
                f"--registry-name {registry_name}: registries exist only on Azure ML; the local "
                "store is one workspace. Fix: leave out --registry-name, or run this with az ml."
            )
        return function(*args, **kwargs)

    return command


def add_lifecycle_commands(group: click.Group, kind: str) -> None:
    """Add `archive`, `restore` and `update` for asset `kind` to its group, as az ml has them."""
    what = "data asset" if kind == "data" else kind
    article = "an" if what[0] in "aeiou" else "a"

    def _archive_options(verb: str) -> Callable[..., Any]:
        def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
            function = click.option(
                "-l", "--label", help=f"Label of the version to {verb}: latest."
            )(function)
            function = click.option(
                "-v", "--version", help=f"Version to {verb} (default: every version)."
            )(function)
            return click.option("-n", "--name", required=True, help="Name.")(function)

        return decorate

    @group.command(
        help=f"Archive {article} {what} version (or every version): hidden from list and @latest, "
        f"still usable by its version, as az ml {kind} archive does."
    )
    @_archive_options("archive")
    @azure_compatible
    def archive(name, version, label) -> None:
        from mlops.assets.lifecycle import archive as set_archived

        set_archived(kind, name, version, label, archived=True)

    @group.command(
        help=f"Restore an archived {what} version (or every version), as az ml {kind} restore does."
    )
    @_archive_options("restore")
    @azure_compatible
    def restore(name, version, label) -> None:
        from mlops.assets.lifecycle import archive as set_archived

        set_archived(kind, name, version, label, archived=False)

    fields = "description, tags or stage" if kind == "model" else "description or tags"

    @group.command(help=f"Update {article} {what} version's {fields} (--set, --add, --remove).")
    @click.option("-n", "--name", required=True, help="Name.")
    @click.option("-v", "--version", required=True, help="Version to update.")
    @generic_update
    @azure_compatible
    def update(name, version, overrides) -> dict:
        from mlops.assets.lifecycle import update as update_asset

        return update_asset(kind, name, version, overrides).to_az()
