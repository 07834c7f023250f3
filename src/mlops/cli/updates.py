"""az's generic-update flags on the create and update verbs: `--set` on create verbs, and
`--set`, `--add`, `--remove`, `--force-string` on update verbs, as az ml has them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from mlops.cli.parsing import SEPARATOR
from mlops.overrides import Overrides

_SET_HELP = (
    "Set a field, as az does: --set PATH=VALUE [PATH=VALUE ...] (a.b.c, a.0.b or a[0].b; "
    "a JSON object or list is parsed, anything else stays a string)."
)
_ADD_HELP = "Append to a list: --add PATH VALUE (JSON, a string, or key=value pairs)."
_REMOVE_HELP = "Remove a field, or a list's item: --remove PATH [INDEX]."
_FORCE_HELP = "Keep every --set/--add value a string, never parsed as JSON."


def set_flag(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give a create verb az ml's `--set`; the command receives `overrides`."""
    return _with_overrides(function, update=False)


def generic_update(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give an update verb az's `--set`, `--add`, `--remove` and `--force-string`; the command
    receives `overrides`."""
    return _with_overrides(function, update=True)


def _with_overrides(function: Callable[..., Any], update: bool) -> Callable[..., Any]:
    @functools.wraps(function)
    def command(
        *args: Any,
        set_values: tuple[str, ...] = (),
        add_values: tuple[str, ...] = (),
        remove_values: tuple[str, ...] = (),
        force_string: bool = False,
        **kwargs: Any,
    ) -> Any:
        overrides = Overrides(
            set=tuple(set_values),
            add=tuple(tuple(item.split(SEPARATOR)) for item in add_values),
            remove=tuple(tuple(item.split(SEPARATOR)) for item in remove_values),
            force_string=force_string,
        )
        return function(*args, overrides=overrides, **kwargs)

    if update:
        command = click.option("--force-string", is_flag=True, help=_FORCE_HELP)(command)
        command = click.option("--remove", "remove_values", multiple=True, help=_REMOVE_HELP)(
            command
        )
        command = click.option("--add", "add_values", multiple=True, help=_ADD_HELP)(command)
    return click.option("--set", "set_values", multiple=True, help=_SET_HELP)(command)
