"""Long options abbreviated as az accepts them: az's parser (argparse, through knack) takes any
unambiguous prefix of a long option (`--endpoint` for `--endpoint-name`, `--out` for `--output`)
and refuses an ambiguous one. Scripts written for az ml rely on it, so every `mlops` command and
group does the same; an exact name always wins over a prefix, as in argparse."""

from __future__ import annotations

import click


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
        return super().parse_args(ctx, expand_prefixes(args, _long_options(self, ctx)))


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
