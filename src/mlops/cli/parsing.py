"""Long options abbreviated as az accepts them: az's parser (argparse, through knack) takes any
unambiguous prefix of a long option (`--endpoint` for `--endpoint-name`, `--out` for `--output`)
and refuses an ambiguous one. Scripts written for az ml rely on it, so every `mlops` command and
group does the same; an exact name always wins over a prefix, as in argparse."""

from __future__ import annotations

import click

# Options that take every value up to the next option, as az's argparse (nargs="+") does:
# `--set a=1 b=2`, `--add path value`, `--remove path index`.
GREEDY = ("--set", "--add", "--remove")
# An --add or --remove item (its path, then values) reaches the command as one click value,
# joined by this separator (mlops.cli.updates splits it).
SEPARATOR = "\x1f"


def expand_prefixes(args: list[str], long_options: list[str]) -> list[str]:
    """`args` with each abbreviated long option (also `--opt=value`) written out in full.

    Arguments after `--` and options that match nothing are left as they are (click then
    reports an unknown option).

    Raises:
        click.UsageError: A prefix matches several options (exit code 2, as az's).
    """
    expanded = []
    for position, arg in enumerate(args):
        if arg == "--":
            return expanded + args[position:]
        name, equals, value = arg.partition("=")
        if name.startswith("--") and len(name) > 2 and name not in long_options:
            matches = sorted({option for option in long_options if option.startswith(name)})
            if len(matches) > 1:
                raise click.UsageError(f"ambiguous option: {name} could match {', '.join(matches)}")
            if matches:
                arg = matches[0] + equals + value
        expanded.append(arg)
    return expanded


def gather_greedy(args: list[str], long_options: list[str]) -> list[str]:
    """`args` with the values after a greedy option (`GREEDY`) given to it, as az does.

    `--set a=1 b=2` becomes `--set a=1 --set b=2`; `--add path v1 v2` becomes one `--add`
    value (joined by SEPARATOR). A greedy option with no value is left for click to report.
    """
    gathered: list[str] = []
    position = 0
    while position < len(args):
        arg = args[position]
        if arg == "--":
            return gathered + args[position:]
        position += 1
        if arg not in GREEDY or arg not in long_options:
            gathered.append(arg)
            continue
        end = position
        while end < len(args) and not _is_option(args[end]):
            end += 1
        values, position = args[position:end], end
        if not values:
            gathered.append(arg)
        elif arg == "--set":
            gathered.extend(part for value in values for part in (arg, value))
        else:
            gathered.extend((arg, SEPARATOR.join(values)))
    return gathered


def _is_option(arg: str) -> bool:
    """Whether an argument starts an option (a negative number, as an index, does not)."""
    return arg.startswith("-") and len(arg) > 1 and not arg[1:].isdigit()


def _long_options(command: click.Command, ctx: click.Context) -> list[str]:
    return [
        option
        for param in command.get_params(ctx)
        if isinstance(param, click.Option)
        for option in (*param.opts, *param.secondary_opts)
        if option.startswith("--")
    ]


class AzCommand(click.Command):
    """A command whose long options may be abbreviated, as az's may."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = _long_options(self, ctx)
        return super().parse_args(ctx, gather_greedy(expand_prefixes(args, options), options))


class AzGroup(click.Group):
    """A command group whose commands (and its own options) may be abbreviated, as az's."""

    command_class = AzCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Only the group's own options, before its subcommand's name, are the group's.
        names = set(self.list_commands(ctx))
        end = next((i for i, arg in enumerate(args) if arg in names), len(args))
        own = expand_prefixes(args[:end], _long_options(self, ctx))
        return super().parse_args(ctx, own + args[end:])


AzGroup.group_class = AzGroup
