"""The page and the Mermaid summary drawn from records written as the engine writes them: node
types (parallel, sweep), a gate's decision and plot, a sweep's trials, names that need escaping."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import read_page
from mlops.jobpage import web
from mlops.jobpage.azure_summary import from_azure
from mlops.jobpage.azure_summary import main as azure_main
from mlops.jobpage.mermaid import summary_markdown
from mlops.jobpage.page import render
from mlops.jobpage.source import from_record


def _node(status: str = "Completed", **fields: Any) -> dict[str, Any]:
    entry = {
        "status": status,
        "type": "command",
        "start_time": "2026-12-01T10:00:00+00:00",
        "duration_s": 1.5,
        "inputs": {},
        "outputs": {},
        "log": "/nonexistent/std_log.txt",
        "metrics": {},
        "tags": {},
        "reused_from": None,
    }
    return {**entry, **fields}


def _record(jobs: dict[str, Any], status: str = "Completed") -> dict[str, Any]:
    return {"name": "job1", "display_name": "tiny", "status": status, "jobs": jobs, "outputs": {}}


def _gated(tmp_path: Path) -> dict[str, Any]:
    evaluation = tmp_path / "evaluation"
    evaluation.mkdir()
    (evaluation / "decision.json").write_text(
        json.dumps({"register": False, "reason": "mse 3.1 is not better than 2.9"})
    )
    (evaluation / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return _record(
        {
            "score": _node(type="parallel", outputs={"scores": str(tmp_path / "missing")}),
            "gate": _node(
                inputs={
                    "scores": "${{parent.jobs.score.outputs.scores}}",
                    "threshold": 0.5,
                    "data": {"type": "uri_folder", "path": "/data/x"},
                },
                outputs={"evaluation": str(evaluation)},
                metrics={"register": 0.0},
            ),
        }
    )


def test_gate_decision_plot_parallel_mark_and_parameters(tmp_path: Path) -> None:
    page = read_page(render(from_record(_gated(tmp_path))))

    assert page.nodes["score"]["type"] == "parallel"
    assert "parallel" in page.nodes["score"]["text"]
    assert "gate: do not register" in page.nodes["gate"]["text"]
    assert "do not register — mse 3.1 is not better than 2.9" in page.details["gate"]
    assert "threshold 0.5" in page.details["gate"] and "uri_folder: /data/x" in page.details["gate"]
    assert "scores" not in page.details["gate"].split("Parameters")[1].split("Outputs")[0]
    assert (tmp_path / "evaluation" / "plot.png").as_uri() in page.images
    assert page.edges == {("score", "gate", "scores → scores")}


def test_sweep_node_shows_its_trials_and_a_chart_of_the_primary_metric() -> None:
    trials = [
        {
            "name": f"trial_{i}",
            "status": "Completed",
            "parameters": {"alpha": a},
            "metrics": {"mse": m},
        }
        for i, (a, m) in enumerate([(0.1, 3.0), (1.0, 2.5), (10.0, 4.0)])
    ]
    record = _record(
        {"tune": _node(type="sweep", trials=trials, objective={"primary_metric": "mse"})}
    )

    html = render(from_record(record))
    page = read_page(html)

    assert page.nodes["tune"]["type"] == "sweep" and "3 trials" in page.nodes["tune"]["text"]
    assert "Trials (3)" in page.details["tune"]
    assert "trial_1 Completed 1.0 2.5" in page.details["tune"]
    assert "mse per trial" in html, "no chart of the primary metric"


def test_a_sweep_job_is_one_sweep_node_with_its_trials_and_the_best_marked() -> None:
    trials = {
        f"trial_{i}": _node(parameters={"alpha": a}, metrics={"mse": m})
        for i, (a, m) in enumerate([(0.1, 3.0), (1.0, 2.5)])
    }
    record = _record(trials) | {
        "type": "sweep",
        "objective": {"primary_metric": "mse", "goal": "minimize"},
        "best_trial": {"name": "trial_1"},
        "search_space": {"alpha": {"type": "uniform", "min_value": 0.1, "max_value": 10}},
    }

    page = read_page(render(from_record(record)))

    assert list(page.nodes) == ["sweep"] and page.nodes["sweep"]["type"] == "sweep"
    assert "trial_1 Completed 1.5 ★ 1.0 2.5" in page.details["sweep"]
    assert "trial_0 Completed 1.5 0.1 3.0" in page.details["sweep"]


def test_a_record_without_trials_draws_no_trials_section() -> None:
    assert "Trials" not in render(from_record(_record({"a": _node()})))


def test_names_and_logs_are_escaped() -> None:
    record = _record({"x<script>": _node(message="<b>boom</b>", tags={"t": "<i>"})})

    html = render(from_record(record))

    assert "<script>alert" not in html and "x&lt;script&gt;" in html
    assert "&lt;b&gt;boom&lt;/b&gt;" in html


def test_mermaid_has_groups_statuses_labelled_edges_and_the_gate(tmp_path: Path) -> None:
    record = _record(
        {
            "prep": _node(),
            "inner/train": _node(
                status="Reused", inputs={"data": "${{parent.jobs.prep.outputs.out}}"}
            ),
            "inner/deep/check": _node(
                status="Failed", inputs={"model": "${{parent.jobs.inner/train.outputs.model}}"}
            ),
        }
    )
    record["jobs"].update(_gated(tmp_path)["jobs"])

    text = summary_markdown(from_record(record))

    assert '["train<br/>Reused ↺ 1.5 s"]:::Reused' in text
    assert ":::Failed" in text
    assert 'subgraph g0["pipeline inner"]' in text
    assert 'subgraph g1["pipeline deep"]' in text
    assert text.count("subgraph") == text.count("\n    end") + text.count("\n  end")
    assert '-- "out → data" -->' in text and '-- "model → model" -->' in text
    assert "Gate (gate): **do not register** — mse 3.1 is not better than 2.9" in text


def test_azure_summary_from_az_ml_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pipeline = {
        "name": "azure_job",
        "display_name": "training",
        "status": "Completed",
        "jobs": {
            "train": {"type": "command", "inputs": {"alpha": "0.5"}, "outputs": {"model": None}},
            "evaluate": {
                "type": "command",
                "inputs": {"model": {"path": "${{parent.jobs.train.outputs.model}}"}},
                "outputs": {"evaluation": "${{parent.outputs.evaluation}}"},
            },
        },
    }
    children = [
        {
            "display_name": "train",
            "status": "Completed",
            "properties": {"azureml.isreused": "True"},
        },
        {"display_name": "evaluate", "status": "Completed"},
    ]
    decision = {"decision": {"register": True, "reason": "better"}}
    files = []
    for name, data in (("p", pipeline), ("c", children), ("d", decision)):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(data))

    graph = from_azure(pipeline, children, decision["decision"])
    assert [node.status for node in graph.nodes] == ["Reused", "Completed"]
    assert azure_main([str(file) for file in files]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Pipeline training: Completed")
    assert 'n0 -- "model → model" --> n1' in out
    assert "Gate (evaluate): **register** — better" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_browser_prints_the_address(tmp_path: Path, monkeypatch) -> None:
    for variable in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(web.sys, "platform", "linux")
    opened: list[str] = []
    monkeypatch.setattr(web.webbrowser, "open", lambda url: opened.append(url) or True)

    terminal = _Terminal()

    assert web.open_in_browser(tmp_path / "page.html", terminal) is False
    assert opened == []
    assert f"Job page: {(tmp_path / 'page.html').as_uri()} (no browser" in terminal.getvalue()

    monkeypatch.setenv("DISPLAY", ":0")
    assert web.open_in_browser(tmp_path / "page.html", io.StringIO()) is False, "not a terminal"
    assert web.open_in_browser(tmp_path / "page.html", _Terminal()) is True
    assert opened == [(tmp_path / "page.html").as_uri()]


def test_the_start_time_reads_to_the_second() -> None:
    record = {**_record({"a": _node()}), "start_time": "2026-12-01T10:00:00.164441+00:00"}
    html = render(from_record(record))
    assert "started 2026-12-01 10:00:00 UTC" in html
    assert "164441" not in html
