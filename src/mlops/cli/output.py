"""az-compatible output: JSON on stdout by default, `--query` (JMESPath) and `-o/--output`.

A script that runs `az ml ... --query primaryKey -o tsv` runs unchanged against `mlops`.
Progress, hints and logs go to stderr, never to stdout.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

FORMATS = ["json", "jsonc", "tsv", "yaml", "table", "none"]


def render(data: Any, output_format: str = "json") -> str:
    """Render a result the way az renders it for `--output <output_format>`."""
    if output_format in ("json", "jsonc"):
        return json.dumps(data, indent=2, default=str)
    if output_format == "yaml":
        import yaml

        return yaml.safe_dump(data, sort_keys=False).rstrip("\n")
    if output_format == "tsv":
        rows = data if isinstance(data, list) else [data]
        return "\n".join(_tsv_row(row) for row in rows)
    if output_format == "table":
        return _table(data if isinstance(data, list) else [data])
    return ""


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def _tsv_row(row: Any) -> str:
    if isinstance(row, dict):
        return "\t".join(_scalar(value) for value in row.values())
    if isinstance(row, list):
        return "\t".join(_scalar(value) for value in row)
    return _scalar(row)


def _table(rows: list[Any]) -> str:
    dicts = [row if isinstance(row, dict) else {"Result": row} for row in rows]
    columns = list(dict.fromkeys(key for row in dicts for key in row))
    cells = [[_scalar(row.get(column)) for column in columns] for row in dicts]
    widths = [
        max([len(column), *(len(line[i]) for line in cells)]) for i, column in enumerate(columns)
    ]
    header = "  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True))
    rule = "  ".join("-" * width for width in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    return "\n".join([header, rule, *body])


def emit(data: Any, query: str | None = None, output_format: str = "json") -> None:
    """Print a command's result on stdout, after `--query` and in the `--output` format."""
    if query:
        import jmespath

        data = jmespath.search(query, data)
    text = render(data, output_format)
    if text:
        click.echo(text)


@dataclass(frozen=True)
class Result:
    """A result to print and the exit code to leave with (a failed job prints, then exits 1)."""

    data: Any
    exit_code: int = 0


def azure_compatible(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command az's common flags; the command returns its result and this prints it.

    Adds `--query` and `-o/--output`, and accepts the workspace flags az ml scripts pass
    (`-g/--resource-group`, `-w/--workspace-name`, `--subscription`), which select nothing here.
    """

    @click.option("--query", help="JMESPath query applied to the result, as with az.")
    @click.option(
        "-o",
        "--output",
        "output_format",
        type=click.Choice(FORMATS),
        default="json",
        show_default=True,
        help="Output format, as with az.",
    )
    @click.option("-g", "--resource-group", "resource_group", hidden=True)
    @click.option("-w", "--workspace-name", "workspace_name", hidden=True)
    @click.option("--subscription", hidden=True)
    @functools.wraps(func)
    def wrapper(
        *args: Any, query, output_format, resource_group, workspace_name, subscription, **kwargs
    ):
        result = func(*args, **kwargs)
        exit_code = 0
        if isinstance(result, Result):
            result, exit_code = result.data, result.exit_code
        if result is not None:
            emit(result, query, output_format)
        if exit_code:
            raise SystemExit(exit_code)

    return wrapper


def no_wait(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a create/update/delete command az ml's `--no-wait`.

    With it az ml prints nothing on stdout (it does not wait for the result) and a warning on
    stderr. Locally the operation has completed before the command returns; the output follows
    az's, so a script parses the same thing from either tool. Place it below `azure_compatible`.
    """

    @click.option(
        "--no-wait",
        is_flag=True,
        help="As with az ml, print no result; locally the operation still completes first.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, no_wait: bool, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        if not no_wait:
            return result
        click.echo(
            f"--no-wait: `{click.get_current_context().command_path}` has completed "
            "(operations complete before returning here); its `show` verb prints the result.",
            err=True,
        )
        return Result(None, result.exit_code) if isinstance(result, Result) else None

    return wrapper
