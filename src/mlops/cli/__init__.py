"""The `mlops` command line: verbs and flags mirror `az ml`, each group loaded only when used."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import NoReturn

import click

from mlops import __version__
from mlops.cli.parsing import AzGroup
from mlops.errors import MlopsError

# Command name -> "module:attribute". Loading a group only when it is used keeps
# `mlops job show` from paying for azure-ai-ml's import, and `mlops validate` for MLflow's.
COMMANDS = {
    "validate": "mlops.cli.validate:validate",
    "job": "mlops.cli.job:job",
    "component": "mlops.cli.component:component",
    "data": "mlops.cli.data:data",
    "model": "mlops.cli.model:model",
    "environment": "mlops.cli.environment:environment",
    "online-endpoint": "mlops.cli.online_endpoint:online_endpoint",
    "online-deployment": "mlops.cli.online_deployment:online_deployment",
    "batch-endpoint": "mlops.cli.batch_endpoint:batch_endpoint",
    "batch-deployment": "mlops.cli.batch_deployment:batch_deployment",
    "bootstrap": "mlops.cli.bootstrap:bootstrap",
}


class LazyGroup(AzGroup):
    """A click group that imports a command's module the first time the command is needed,
    and turns `MlopsError` into a message on stderr and an exit code, without a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MlopsError as error:
            click.echo(f"ERROR: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as error:
            # No traceback for a user unless asked: `mlops --debug ...` re-raises it.
            if ctx.params.get("debug"):
                raise
            from mlops.cli.failures import describe

            click.echo(f"ERROR: {describe(error)}", err=True)
            ctx.exit(1)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlops")
@click.option(
    "--debug",
    is_flag=True,
    help="Log library details to stderr, and show the traceback of an unexpected failure.",
)
def main(debug: bool) -> None:
    """Run Azure ML v2 YAML offline: `az ml <group> <verb>` becomes `mlops <group> <verb>`."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )


def _debug_first(args: list[str]) -> list[str]:
    """Accept `--debug` anywhere on the line, as az does, by moving it to the front."""
    if "--debug" not in args or "--" in args[: args.index("--debug")]:
        return args
    return ["--debug", *(arg for arg in args if arg != "--debug")]


def run() -> NoReturn:
    """The `mlops` command: run the CLI, then exit without tearing the interpreter down.

    Tearing down a process that loaded azure-ai-ml costs ~0.45 s (measured), paid by every
    command and by every step of a script that calls `mlops` repeatedly. Output is flushed
    and logging shut down first; nothing else here registers work for exit time.
    """
    code = 0
    try:
        returned = main(args=_debug_first(sys.argv[1:]), standalone_mode=False)
        code = returned if isinstance(returned, int) else 0
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)
