"""Job page test helpers: the engine tests' tiny pipelines, and the page read back as a person
would read it (its graph's nodes, edges and groups, and each node's details)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

ENGINE_PIPELINES = Path(__file__).parents[1] / "engine" / "pipelines"


@pytest.fixture
def pipelines(tmp_path: Path, mlops_home: Path) -> Path:
    """A private copy of the engine tests' pipelines (the tool's own fixtures), a fresh store."""
    target = tmp_path / "pipelines"
    shutil.copytree(ENGINE_PIPELINES, target)
    return target


@dataclass
class Page:
    """What the page shows."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    details: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    refresh: bool = False


class _Reader(HTMLParser):
    """Reads the graph's `g.node`, `g.edge` and `g.group` elements and the details sections
    (none of them nests another element of its own tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._current: tuple[str, str, str, dict[str, str]] | None = None  # kind, key, tag
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        classes = found.get("class", "").split()
        if tag == "meta" and found.get("http-equiv") == "refresh":
            self.page.refresh = True
        if tag == "a" and found.get("href", "").startswith("file://"):
            self.page.links.append(found["href"])
        if tag == "img":
            self.page.images.append(found.get("src", ""))
        if tag == "g" and "group" in classes:
            self.page.groups.add(found["data-group"])
        if tag == "tspan" and self._current and self._current[0] == "edge":
            self._chunks.append("")
        if self._current:
            return
        if tag == "g" and "node" in classes:
            self._current = ("node", found["data-node"], tag, found)
        elif tag == "g" and "edge" in classes:
            self._current = ("edge", f"{found['data-source']}|{found['data-target']}", tag, found)
        elif tag == "section" and "node-details" in classes and "data-node" in found:
            self._current = ("details", found["data-node"], tag, found)
        self._chunks = [""]

    def handle_endtag(self, tag: str) -> None:
        if not self._current or tag != self._current[2]:
            return
        kind, key, _tag, attrs = self._current
        self._current = None
        if kind == "node":
            text = " ".join(" ".join(self._chunks).split())
            self.page.nodes[key] = {
                "status": attrs["data-status"],
                "type": attrs["data-type"],
                "text": text,
            }
        elif kind == "edge":
            source, target = key.split("|")
            for label in self._chunks:
                if label.strip():
                    self.page.edges.add((source, target, label.strip()))
        else:
            self.page.details[key] = " ".join(" ".join(self._chunks).split())

    def handle_data(self, data: str) -> None:
        if self._current:
            self._chunks[-1] += data + ("" if self._current[0] == "edge" else " ")


def read_page(html: str) -> Page:
    """The page's graph and details, parsed."""
    reader = _Reader()
    reader.feed(html)
    return reader.page
