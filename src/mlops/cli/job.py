"""`mlops job`: run pipeline jobs locally and look at them, as `az ml job` does on Azure."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from mlops.cli.lifecycle import archived_flags
from mlops.cli.output import Result, azure_compatible
from mlops.cli.parsing import AzGroup
from mlops.cli.updates import generic_update, set_flag

# Each command imports the library it calls inside its function, so `mlops --help` and
# `mlops job list` load only this module, not azure-ai-ml or MLflow (see mlops.cli.COMMANDS).

_FAILED_STATUSES = {"Failed", "Canceled"}
_LIVE_STATUSES = {"Running", "NotStarted", "Queued", "Preparing", "CancelRequested"}


@click.group(cls=AzGroup)
def job() -> None:
    """Run and inspect pipeline jobs on the local engine (az ml job)."""


@job.command()
@click.option(
    "-f", "--file", "file", required=True, type=click.Path(path_type=Path), help="Job YAML."
)
@click.option("-n", "--name", help="Job name (default: a new Azure-style name).")
@click.option("-s", "--stream", is_flag=True, help="Print the nodes' logs as they run.")
@click.option(
    "--max-parallel", type=click.IntRange(min=1), help="Most nodes at once (default: cores)."
)
@click.option(
    "--web",
    is_flag=True,
    help="Open the job's page (graph, status, logs) in the browser; print its address without one.",
)
@click.option(
    "--environment-mode",
    type=click.Choice(["auto", "isolated", "shared"]),
    help="Where nodes run: auto (engine's interpreter if it suffices, else a build), isolated "
    "(always a build, as Azure), shared (never). Default: $MLOPS_ENV_MODE, else auto.",
)
@set_flag
@azure_compatible
def create(file, overrides, name, stream, max_parallel, web, environment_mode) -> Result:
    """Run a pipeline job to its end on this machine; prints the job as az ml job show does.

    Exits 1 when the job fails or is canceled, 2 when the YAML or a flag is wrong (nothing runs).
    """
    from mlops.engine import create_job
    from mlops.environments.modes import mode_set_to

    page = contextlib.nullcontext()
    if web:
        from mlops.engine.names import new_job_name
        from mlops.jobpage.web import PageFollower

        name = name or new_job_name()
        page = PageFollower(name)
    with page, mode_set_to(environment_mode):
        record = create_job(
            file,
            set_values=overrides.set,
            name=name,
            stream=stream,
            max_parallel=max_parallel,
        )
    return Result(record, 1 if record["status"] in _FAILED_STATUSES else 0)


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@click.option(
    "--web",
    is_flag=True,
    help="Open the job's page in the browser (redrawn until a running job ends).",
)
@azure_compatible
def show(name, web) -> dict:
    """Show a job: status, inputs, outputs, and each node's status, duration and metrics."""
    from mlops.engine.status import current_record

    if web:
        from mlops.jobpage.web import follow, open_in_browser, write_page

        open_in_browser(write_page(name))
        if current_record(name)["status"] in _LIVE_STATUSES:
            click.echo("Redrawing the page until the job ends (Ctrl-C stops that).", err=True)
            with contextlib.suppress(KeyboardInterrupt):
                follow(name)
    return current_record(name)


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@azure_compatible
def stream(name) -> Result:
    """Wait for a job, printing its logs as they grow, as az ml job stream does (a finished job:
    its logs at once); then the execution summary. Exits 1 when the job failed or was canceled.
    """
    import sys

    from mlops.engine.stream import stream_job

    record = stream_job(name, sys.stdout)
    if record["status"] in _FAILED_STATUSES:
        click.echo(f"ERROR: job {name} ended {record['status']}.", err=True)
        return Result(None, 1)
    return Result(None, 0)


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
def summary(name) -> None:
    """Print the job's graph as Mermaid markdown: nodes with status, edges, the gate's decision.

    For a GitHub job summary: `mlops job summary -n NAME >> "$GITHUB_STEP_SUMMARY"`.
    """
    from mlops.jobpage.mermaid import summary_markdown
    from mlops.jobpage.source import read_job

    click.echo(summary_markdown(read_job(name)), nl=False)


@job.command(name="list")
@click.option(
    "-r",
    "--max-results",
    "max_results",
    type=int,
    default=50,
    show_default=True,
    help="Most jobs listed.",
)
@click.option(
    "--all-results",
    "all_results",
    type=click.Choice(["true", "false"], case_sensitive=False),
    is_flag=False,
    flag_value="true",
    default="false",
    help="List every job, whatever --max-results says (as az ml's `--all-results [true]`).",
)
@click.option(
    "-p",
    "--parent-job-name",
    "parent_job_name",
    help="List this pipeline job's child jobs (its nodes) instead, as az ml does.",
)
@archived_flags
@azure_compatible
def list_command(max_results, all_results, parent_job_name, archived) -> list:
    """List jobs, newest first (or a pipeline job's child jobs); archived jobs are left out
    unless asked for."""
    if all_results.lower() == "true":
        max_results = None
    from mlops import jobstore as store
    from mlops.engine.status import with_live_status

    if parent_job_name:
        from mlops.jobpage.source import child_jobs

        return child_jobs(parent_job_name)[:max_results]
    fields = ("name", "display_name", "experiment_name", "status", "start_time", "duration_s")
    wanted = {"exclude": False, "only": True}.get(archived)
    records = [
        with_live_status(record)
        for record in store.all_records()
        if wanted is None or store.is_archived(record["name"]) == wanted
    ][:max_results]
    return [{key: record.get(key) for key in fields} for record in records]


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@azure_compatible
def cancel(name) -> dict:
    """Cancel a running job (from any terminal): its node processes stop, the job is Canceled."""
    from mlops.engine import cancel_job

    record = cancel_job(name)
    return {"name": record["name"], "status": record["status"]}


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@click.option(
    "--output-name",
    help="The output to download; `default` is the job's artifacts (./outputs, ./logs and the "
    "log), which is also what is downloaded when neither this nor --all is given.",
)
@click.option(
    "--all", "download_all", is_flag=True, help="Download every output and the artifacts."
)
@click.option(
    "-p",
    "--download-path",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to download into.",
)
@azure_compatible
def download(name, output_name, download_all, download_path) -> dict:
    """Copy a job's outputs and artifacts into a folder, laid out as az ml does."""
    from mlops.engine.download import download_job

    return download_job(name, download_path, output_name=output_name, everything=download_all)


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@azure_compatible
def archive(name) -> None:
    """Archive a job that has ended: left out of job list, still shown and usable by name."""
    from mlops.engine.lifecycle import archive_job

    archive_job(name, archived=True)


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@azure_compatible
def restore(name) -> None:
    """Restore an archived job to job list."""
    from mlops.engine.lifecycle import archive_job

    archive_job(name, archived=False)


@job.command()
@click.option("-n", "--name", required=True, help="Job name.")
@generic_update
@azure_compatible
def update(name, overrides) -> dict:
    """Update a job's description, display name, tags or properties (--set, --add, --remove)."""
    from mlops.engine.lifecycle import update_job

    return update_job(name, overrides)
