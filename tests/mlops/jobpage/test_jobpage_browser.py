"""The job page in a real headless Chromium (offline): every node drawn, nothing on the console,
a screenshot with each node's status colour in it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import read_page
from mlops.jobpage.headless import find_browser, load
from mlops.jobpage.layout import NODE_HEIGHT, NODE_WIDTH
from mlops.jobpage.page import render
from mlops.jobpage.source import from_record
from mlops.jobpage.svg import COLOURS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        find_browser() is None,
        reason="no Chromium on this machine: `make browser` (apt-get install chromium) adds it",
    ),
]

STATUSES = {
    "prep": "Completed",
    "inner/train": "Reused",
    "inner/score": "Failed",
    "report": "Canceled",
    "never": "NotStarted",
}


def _record() -> dict:
    upstream = {
        "inner/train": "prep",
        "inner/score": "inner/train",
        "report": "inner/score",
        "never": "report",
    }
    jobs = {}
    for node, status in STATUSES.items():
        inputs = (
            {"data": f"${{{{parent.jobs.{upstream[node]}.outputs.out}}}}"}
            if node in upstream
            else {}
        )
        jobs[node] = {
            "status": status,
            "type": "parallel" if node == "inner/score" else "command",
            "duration_s": 2.0,
            "inputs": {**inputs, "alpha": 0.5},
            "outputs": {},
            "metrics": {"mse": 1.25},
            "log_tail": ["line one", "line two"],
        }
    return {"name": "shown", "status": "Failed", "duration_s": 9.0, "jobs": jobs, "outputs": {}}


def test_every_node_is_drawn_with_its_colour_and_the_console_stays_quiet(tmp_path: Path) -> None:
    from PIL import Image

    page = tmp_path / "page.html"
    page.write_text(render(from_record(_record())))

    loaded = load(page, width=1400, height=1000)

    assert loaded.console == ()
    shown = read_page(loaded.dom)
    assert {node: seen["status"] for node, seen in shown.nodes.items()} == STATUSES
    assert shown.groups == {"inner"}
    assert len(shown.edges) == 4
    image = Image.open(io.BytesIO(loaded.screenshot)).convert("RGB")
    assert image.size == (1400, 1000)
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}
    for node, status in STATUSES.items():
        fill = tuple(int(COLOURS[status][0][i : i + 2], 16) for i in (1, 3, 5))
        drawn = counts.get(fill, 0)
        assert drawn > NODE_WIDTH * NODE_HEIGHT * 0.3, f"{node} ({status}) not drawn: {drawn} px"


def test_the_console_check_sees_a_script_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>notDefinedAnywhere();</script></body></html>")

    loaded = load(page)

    assert any("notDefinedAnywhere" in message for message in loaded.console)


def test_the_docs_screenshot_script_shows_the_graph_and_one_node(tmp_path: Path) -> None:
    import importlib.util

    from PIL import Image

    from mlops import jobstore as store

    store.save(_record())
    script = Path(__file__).parents[3] / "scripts" / "job_page_screenshot.py"
    spec = importlib.util.spec_from_file_location("job_page_screenshot", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "shot.png"

    assert module.main(["shown", str(out), "inner/score"]) == 0

    image = Image.open(out)
    assert image.size == (1280, 820)
    assert 0 < out.stat().st_size < 200_000, "too big to commit"
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 10, "a blank picture"
