"""`mlops bootstrap`: rename the template's sample project to yours."""

from __future__ import annotations

import click

from mlops.cli.parsing import AzCommand

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.command(cls=AzCommand)
@click.option("-n", "--name", required=True, help="Your project's name, e.g. churn_model.")
@click.option(
    "--dry-run", is_flag=True, help="List every file and line that would change; change nothing."
)
@click.option("--force", is_flag=True, help="Run even with uncommitted changes in the tree.")
def bootstrap(name: str, dry_run: bool, force: bool) -> None:
    """Rename the sample project `diabetes_regression` to NAME everywhere it is named.

    The package folder and imports, component, model, environment and experiment names,
    endpoint names (NAME with '-' for '_'), workflows, docs, tests, Makefile and pyproject --
    found by scanning the files git tracks. All or nothing: on any failure the tree is left as it
    was. Running it again is safe.
    """
    from mlops.bootstrap.project import bootstrap as run
    from mlops.home import repo_root

    summary = run(repo_root(), name, dry_run=dry_run, force=force)
    if "message" in summary:
        click.echo(summary["message"])
        return
    for file in summary["files"]:
        moved = f" -> {file['new_path']}" if file["new_path"] else ""
        click.echo(f"{file['path']}{moved}")
        if dry_run:
            for line in file["lines"]:
                click.echo(f"  {line['line']}: - {line['old'].strip()}")
                click.echo(f"  {line['line']}: + {line['new'].strip()}")
    verb = "would change" if dry_run else "changed"
    click.echo(
        f"{summary['changed_files']} files {verb}: {', '.join(summary['names'].values())}", err=True
    )
    if not dry_run:
        click.echo(
            "Next: review with `git status`, reinstall (`make setup`), run `make test` and "
            "`make train`, then follow docs/bring_your_own_code.md.",
            err=True,
        )
