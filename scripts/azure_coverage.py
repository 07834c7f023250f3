"""Write docs/azure_coverage.md: what of az ml and of Azure ML's YAML runs here, from the code.

Generated, never edited by hand: the az ml command groups and file kinds from `mlops.azure.kinds`
(the kinds azure-ai-ml loads), the verbs and flags from the `mlops` CLI itself, the job and node
types from what the local engine runs. tests/mlops/test_azure_coverage.py fails when the page is
stale; rerun this script after changing the CLI or the kinds.

    .venv/bin/python scripts/azure_coverage.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from mlops.azure import kinds
from mlops.cli import main as cli
from mlops.parallel import tables

PAGE = Path(__file__).resolve().parents[1] / "docs" / "azure_coverage.md"
# Commands of mlops's own, with no az ml twin.
LOCAL_ONLY = {
    "mlops bootstrap": "renames the template",
    "mlops validate": "az ml checks on submission",
    "mlops environment builds": "the local build cache",
    "mlops environment prune": "the local build cache",
    "mlops job summary": "the graph as Mermaid, for a GitHub job summary",
}

# The verbs az ml has in the groups mlops mirrors (its CLI reference, ml extension 2.x); those
# with no `mlops` command get a row saying so.
_REGISTRY = "refused: registries exist only on Azure"
AZ_ML_VERBS = {
    "batch-deployment": {},
    "batch-endpoint": {},
    "component": {"share": _REGISTRY},
    "data": {
        "share": _REGISTRY,
        "import": "refused: data import runs on Azure ML only",
        "list-materialization-status": "refused: data import runs on Azure ML only",
        "mount": "refused: mounting a data asset needs Azure's storage",
    },
    "environment": {"share": _REGISTRY},
    "job": {
        "validate": "partial: `mlops validate` checks a job file",
        "connect-ssh": "refused: a local job runs in this machine's shell",
        "show-services": "refused: a local job runs in this machine's shell",
    },
    "model": {
        "share": _REGISTRY,
        "package": "refused: packaging builds an image on Azure ML only",
    },
    "online-deployment": {},
}

HEADER = """\
# Azure ML coverage

What of `az ml` and of Azure ML's YAML files `mlops` handles offline, generated from the code by
`scripts/azure_coverage.py` (a test fails when this page is stale). **supported**: the same
meaning as on Azure; **partial**: accepted, with the difference said; **refused**: `mlops` says
so in one line and does nothing, as the thing exists only on Azure; **missing**: az ml has the
verb and `mlops` has no command for it yet.
"""


def _group_of(kind: str) -> str:
    return kinds.KIND_NAMES[kind][1].split()[2]


def _commands(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None:
            continue
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


def _flags(command: click.Command) -> str:
    names = []
    for parameter in command.params:
        if isinstance(parameter, click.Option) and not parameter.hidden:
            names.append(" ".join(f"`{option}`" for option in parameter.opts))
    return ", ".join(names)


def _groups() -> list[str]:
    local = {path.split()[1] for path, _ in _commands(cli, "mlops")}
    lines = ["## az ml command groups", "", "| az ml group | status |", "| --- | --- |"]
    groups = {
        _group_of(kind): kind
        for kind in kinds.KINDS
        if kind != "code" and kinds.KIND_NAMES[kind][1].split()[3:4] == ["create"]
    }
    for group in sorted(groups):
        kind = groups[group]
        if group in local:
            status = f"supported: `mlops {group}`, the local store's {kinds.describe(kind)}s"
        else:
            status = (
                f"refused: {kinds.article(kinds.describe(kind))} exists only on Azure; "
                "its YAML is checked by `mlops validate`"
            )
        lines.append(f"| `az ml {group}` | {status} |")
    return lines


def _verbs() -> list[str]:
    lines = [
        "## Verbs and flags",
        "",
        "Every long option also takes an unambiguous prefix, as az's parser does "
        "(`--endpoint` for `--endpoint-name`); `-o/--output` and `--query` follow az ml's. "
        "`--registry-name` is refused in one line (registries exist only on Azure ML), and "
        "`--datastore` takes only `workspaceblobstore`, the one datastore that exists locally.",
        "",
        "| command | status | flags | what it does here |",
        "| --- | --- | --- | --- |",
    ]
    for path, command in _commands(cli, "mlops"):
        summary = " ".join((command.help or "").strip().split("\n\n")[0].split())
        status = f"mlops only: {LOCAL_ONLY[path]}" if path in LOCAL_ONLY else "supported"
        flags = _flags(command) or "-"
        lines.append(f"| `{path}` | {status} | {flags} | {summary.replace('|', '/')} |")
    local = {path for path, _ in _commands(cli, "mlops")}
    for group, verbs in sorted(AZ_ML_VERBS.items()):
        for verb, status in sorted(verbs.items()):
            if f"mlops {group} {verb}" not in local:
                lines.append(f"| `az ml {group} {verb}` | {status} | - | - |")
    return lines


def _jobs() -> list[str]:
    lines = ["## Job and pipeline node types", "", "| type | status |", "| --- | --- |"]
    for job_type, name in kinds.JOB_TYPE_NAMES.items():
        where = []
        if job_type in kinds.LOCAL_JOB_TYPES or job_type == "sweep":
            where.append("`mlops job create` runs it")
        if job_type in kinds.LOCAL_NODE_TYPES:
            where.append("runs as a pipeline node")
        if job_type == "parallel":
            where.append(_parallel_inputs())
        status = (
            "supported: " + "; ".join(where)
            if where
            else f"refused: {kinds.runs_on_azure_only('job', job_type)}"
        )
        lines.append(f"| `{job_type}` ({name}) | {status} |")
    return lines


def _parallel_inputs() -> str:
    """What a local parallel node splits, from the runner's own lists."""
    readers = ", ".join(f"`{name}`" for name in tables.READERS)
    steps = ", ".join(f"`{name}`" for name in sorted(tables.TRANSFORMATIONS))
    return (
        "input_data `uri_folder` or `uri_file` (files per mini-batch), or `mltable`: a table "
        f"read by {readers} and transformed by {steps} is split by size or `partition_keys`; other "
        "MLTable transformations are refused"
    )


def _files() -> list[str]:
    lines = ["## YAML file kinds", "", "| kind | status |", "| --- | --- |"]
    for kind in kinds.KINDS:
        if kind == "job":
            status = "supported by `mlops validate`; see the job types above"
        elif kind in kinds.LOCAL_KINDS:
            verb = kinds.KIND_NAMES[kind][1].replace("az ml", "mlops", 1)
            status = f"supported: checked by `mlops validate`, created with `{verb}`"
        else:
            command = kinds.KIND_NAMES[kind][1]
            status = f"partial: checked by `mlops validate`; created on Azure ML only (`{command}`)"
        lines.append(f"| {kinds.describe(kind)} | {status} |")
    return lines


def render() -> str:
    """The whole page."""
    sections = [HEADER.splitlines(), _groups(), _verbs(), _jobs(), _files()]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def main() -> int:
    """Write the page, or with --check say whether it is stale (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    text = render()
    if parser.parse_args().check:
        stale = not PAGE.is_file() or PAGE.read_text(encoding="utf-8") != text
        if stale:
            print(f"{PAGE} is stale: run scripts/azure_coverage.py", file=sys.stderr)  # noqa: T201
        return int(stale)
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
