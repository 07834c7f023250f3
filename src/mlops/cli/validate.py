"""`mlops validate`: check Azure ML YAML and GitHub workflows offline, reporting every problem."""

from __future__ import annotations

from pathlib import Path

import click

from mlops.cli.parsing import AzCommand

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).


@click.command(cls=AzCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check YAML files offline, as Azure ML would, and report every problem.

    PATHS are files or folders; by default every YAML under components/, pipelines/,
    environments/, endpoints/, data/ and .github/workflows/ of the repository. Prints one
    `file:line: field: message` per problem; exits 0 when clean, 1 on problems, 2 on a usage
    error. A warning (`field: warning: ...`, something Azure ML accepts and ignores) is printed
    but does not fail.
    """
    from mlops.errors import counted
    from mlops.home import repo_root
    from mlops.validation import validate_paths
    from mlops.validation.files import default_paths, yaml_files

    targets = list(paths) or default_paths(repo_root())
    problems = validate_paths(targets)
    for problem in problems:
        click.echo(str(problem))
    checked = counted(len(yaml_files(targets)), "file")
    warnings = sum(problem.warning for problem in problems)
    noted = f" ({counted(warnings, 'warning')})" if warnings else ""
    errors = len(problems) - warnings
    if errors:
        click.echo(f"{counted(errors, 'problem')}{noted} in {checked}.", err=True)
        raise SystemExit(1)
    click.echo(f"{checked} valid{noted}.", err=True)
