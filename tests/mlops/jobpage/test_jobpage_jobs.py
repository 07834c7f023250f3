"""The page of real local jobs (the engine tests' tiny pipelines): completed, reused, failed and
running, read back as a person reads it: the graph's nodes, edges and groups, each node's box
and details."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from conftest import read_page
from mlops.engine import cancel_job, create_job, store
from mlops.jobpage.web import PAGE_FILE, follow, write_page

pytestmark = pytest.mark.slow

NESTED_EDGES = {
    ("before", "inner/first", "out → first"),
    ("inner/first", "inner/second", "out → first"),
    ("inner/second", "after", "out → first"),
}


def test_completed_nested_job_shows_groups_edges_metrics_logs_and_outputs(pipelines: Path) -> None:
    create_job(pipelines / "nested.yml", name="done", set_values=["jobs.before.inputs.metric=true"])

    path = write_page("done")
    page = read_page(path.read_text())

    assert path == store.job_folder("done") / PAGE_FILE
    assert set(page.nodes) == {"before", "inner/first", "inner/second", "after"}
    assert page.edges == NESTED_EDGES
    assert page.groups == {"inner"}
    assert {node["status"] for node in page.nodes.values()} == {"Completed"}
    assert page.nodes["before"]["text"].startswith("before Completed")
    assert " s " in page.nodes["before"]["text"] + " ", "no duration in the box"
    assert "answer = 42" in page.nodes["before"]["text"]
    assert not page.refresh, "a finished job's page must not reload itself"
    details = page.details["inner/first"]
    assert "label inner_first" in details  # a parameter
    assert "step inner_first done" in details  # the log's tail
    assert "answer 42" in page.details["before"]  # metrics table
    log = store.log_path("done", "inner/first").as_uri()
    result = store.node_folder("done", "inner/first") / "outputs" / "out" / "result.json"
    assert log in page.links and result.as_uri() in page.links


def test_reused_job_shows_every_node_reused_and_where_from(pipelines: Path) -> None:
    create_job(pipelines / "nested.yml", name="first")
    create_job(pipelines / "nested.yml", name="again")

    page = read_page(write_page("again").read_text())

    assert {node["status"] for node in page.nodes.values()} == {"Reused"}
    assert "from first/inner/second" in page.nodes["inner/second"]["text"]
    assert "reused from first/inner/second" in page.details["inner/second"]
    assert page.edges == NESTED_EDGES
    earlier = store.node_folder("first", "after") / "outputs" / "out" / "result.json"
    assert earlier.as_uri() in page.links, "a reused node links to the outputs it took"


def test_failed_job_shows_the_failure_its_log_and_what_never_started(pipelines: Path) -> None:
    create_job(pipelines / "failing.yml", name="broken", max_parallel=1)

    html = write_page("broken").read_text()
    page = read_page(html)

    assert page.nodes["a_fails"]["status"] == "Failed"
    assert page.nodes["c_after_failure"]["status"] == "NotStarted"
    assert page.edges == {("a_fails", "c_after_failure", "out → first")}
    assert "step a_fails fails on purpose" in page.details["a_fails"]
    assert "exit code 3" in page.details["a_fails"]
    assert "not started: an upstream node did not complete" in page.details["c_after_failure"]
    assert '<details id="log-' in html and " open>" in html, "a failed node's log is open"


@pytest.mark.timeout(120)
def test_running_job_page_reloads_and_is_redrawn_until_the_job_ends(pipelines: Path) -> None:
    runner = threading.Thread(
        target=create_job, args=(pipelines / "slow.yml",), kwargs={"name": "busy"}
    )
    runner.start()
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            # The job's folder is made before its first record is written: wait for the record.
            record = store.job_folder("busy") / store.STATE_FILE
            if record.is_file() and _status(store.load("busy"), "slow") == "Running":
                break
            time.sleep(0.1)
        page = read_page(write_page("busy").read_text())

        assert page.refresh, "a running job's page reloads itself"
        assert page.nodes["quick"]["status"] == "Completed"
        assert page.nodes["slow"]["status"] == "Running"
        assert (
            "Running 0 s…" in page.nodes["slow"]["text"] or " s…" in page.nodes["slow"]["text"]
        ), "a running node counts its seconds up"
        assert page.nodes["never"]["status"] == "NotStarted"
        assert page.edges == {
            ("quick", "slow", "out → first"),
            ("slow", "never", "out → first"),
        }
        stop = threading.Event()
        followed: list[Path] = []
        follower = threading.Thread(target=lambda: followed.append(follow("busy", stop)))
        follower.start()
        cancel_job("busy")
    finally:
        runner.join(60)
    follower.join(30)

    assert followed, "following did not end when the job did"
    final = read_page(followed[0].read_text())
    assert final.nodes["slow"]["status"] == "Canceled"
    assert not final.refresh


def _status(record: dict, node: str) -> str | None:
    return (record.get("jobs", {}).get(node) or {}).get("status")


def test_cli_create_and_show_web_write_the_page_and_print_its_address(pipelines: Path) -> None:
    import json

    from click.testing import CliRunner

    from mlops.cli import main

    runner = CliRunner()
    created = runner.invoke(
        main, ["job", "create", "-f", str(pipelines / "nested.yml"), "-n", "viaweb", "--web"]
    )
    assert created.exit_code == 0, created.output
    page = store.job_folder("viaweb") / PAGE_FILE
    assert json.loads(created.stdout)["status"] == "Completed"
    assert f"Job page: {page.as_uri()}" in created.stderr
    shown = read_page(page.read_text())
    assert {node["status"] for node in shown.nodes.values()} == {"Completed"}, "not redrawn at end"

    again = runner.invoke(main, ["job", "show", "-n", "viaweb", "--web", "--query", "status"])
    assert again.exit_code == 0 and again.stdout.strip() == '"Completed"'
    assert f"Job page: {page.as_uri()}" in again.stderr

    summary = runner.invoke(main, ["job", "summary", "-n", "viaweb"])
    assert summary.exit_code == 0
    assert summary.stdout.startswith("## Pipeline viaweb: Completed\n\n```mermaid\nflowchart TD")
    assert 'subgraph g0["pipeline inner"]' in summary.stdout

    children = runner.invoke(main, ["job", "list", "--parent-job-name", "viaweb"])
    assert {c["display_name"]: c["status"] for c in json.loads(children.stdout)} == {
        "before": "Completed",
        "inner/first": "Completed",
        "inner/second": "Completed",
        "after": "Completed",
    }
