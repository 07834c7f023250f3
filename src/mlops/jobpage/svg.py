"""The pipeline graph as SVG, drawn on the server from the layout: one box per node (status
colour, duration, reuse, parallel/sweep marks, the gate's verdict), labelled edges, group boxes."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from html import escape

from mlops.jobpage.layout import Layout, layout
from mlops.jobpage.model import JobGraph, Node, gate_verdict

COLOURS = {
    "Completed": ("#e3f4e5", "#2e7d32"),
    "Reused": ("#e0f0f7", "#1b6f8f"),
    "Failed": ("#fde4e4", "#c62828"),
    "Running": ("#fff4d6", "#c77700"),
    "Canceled": ("#ececec", "#616161"),
    "CancelRequested": ("#ececec", "#616161"),
    "NotStarted": ("#f7f7f7", "#9e9e9e"),
}
_MARKS = {"parallel": "parallel ▦", "sweep": "sweep ⚲"}


def node_anchor(index: int) -> str:
    """The HTML id of the n-th node's details (the graph's boxes link to it)."""
    return f"node-{index}"


def graph_svg(job: JobGraph) -> str:
    """The job's graph as an inline SVG element."""
    placed = layout(job)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="graph" width="{placed.width:.0f}" '
        f'height="{placed.height:.0f}" viewBox="0 0 {placed.width:.0f} {placed.height:.0f}" '
        'role="img" aria-label="pipeline graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    parts += _groups(placed)
    parts += _routes(placed)
    for index, node in enumerate(job.nodes):
        parts.append(_node(node, index, placed))
    parts.append("</svg>")
    return "\n".join(parts)


def _groups(placed: Layout) -> list[str]:
    return [
        f'<g class="group" data-group="{escape(name)}">'
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
        'rx="10" fill="#f4f6fb" fill-opacity="0.6" stroke="#7986cb" stroke-dasharray="6 4"/>'
        f'<text x="{box.x + 10:.1f}" y="{box.y + 15:.1f}" class="group-label">'
        f"pipeline {escape(name.rsplit('/', 1)[-1])}</text></g>"
        for name, box in placed.groups.items()
    ]


def _routes(placed: Layout) -> list[str]:
    drawn = []
    for route in placed.routes:
        if len(route.points) < 2:
            continue
        path = " L ".join(f"{x:.1f},{y:.1f}" for x, y in route.points)
        middle = _middle(route.points)
        labels = "".join(
            f'<tspan x="{middle[0]:.1f}" dy="{0 if i == 0 else 13}">{escape(edge.label)}</tspan>'
            for i, edge in enumerate(route.edges)
        )
        drawn.append(
            f'<g class="edge" data-source="{escape(route.source)}" '
            f'data-target="{escape(route.target)}">'
            f'<path d="M {path}" fill="none" stroke="#555" stroke-width="1.4" '
            'marker-end="url(#arrow)"/>'
            f'<text class="edge-label" x="{middle[0]:.1f}" y="{middle[1]:.1f}" '
            f'text-anchor="middle">{labels}</text></g>'
        )
    return drawn


def _middle(points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    """The point halfway along a polyline (where its label goes)."""
    lengths = [
        ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        for (x1, y1), (x2, y2) in itertools.pairwise(points)
    ]
    remaining = sum(lengths) / 2
    for (x1, y1), (x2, y2), length in zip(points, points[1:], lengths, strict=False):
        if remaining <= length and length:
            share = remaining / length
            return x1 + (x2 - x1) * share, y1 + (y2 - y1) * share
        remaining -= length
    return points[-1]


def _node(node: Node, index: int, placed: Layout) -> str:
    box = placed.nodes[node.id]
    fill, stroke = COLOURS.get(node.status, COLOURS["NotStarted"])
    dash = ' stroke-dasharray="5 3"' if node.type == "sweep" else ""
    double = (
        f'<rect x="{box.x + 4:.1f}" y="{box.y + 4:.1f}" width="{box.width:.1f}" '
        f'height="{box.height:.1f}" rx="8" fill="{fill}" stroke="{stroke}"/>'
        if node.type in _MARKS
        else ""
    )
    mark = f" · {_MARKS[node.type]}" if node.type in _MARKS else ""
    reuse = " ↺" if node.status == "Reused" else ""
    third = _third_line(node)
    x, y = box.x + 10, box.y
    return (
        f'<a href="#{node_anchor(index)}"><g class="node status-{escape(node.status)}" '
        f'data-node="{escape(node.id)}" data-status="{escape(node.status)}" '
        f'data-type="{escape(node.type)}">{double}'
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
        f'rx="8" fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/>'
        f'<text x="{x:.1f}" y="{y + 20:.1f}" class="node-name">{escape(node.label)}'
        f'<tspan class="node-mark">{escape(mark)}</tspan></text>'
        f'<text x="{x:.1f}" y="{y + 38:.1f}" class="node-status" fill="{stroke}">'
        f"{escape(node.status)}{reuse}  {escape(duration_text(node))}</text>"
        f'<text x="{x:.1f}" y="{y + 55:.1f}" class="node-extra">{escape(third)}</text>'
        f"<title>{escape(node.id)}: {escape(node.status)}</title></g></a>"
    )


def _third_line(node: Node) -> str:
    verdict = gate_verdict(node.decision)
    if verdict:
        return f"gate: {verdict}"
    if node.reused_from:
        return f"from {node.reused_from}"
    if node.trials:
        return f"{len(node.trials)} trials"
    if node.metrics:
        name, value = node.metrics[0]
        return f"{name} = {_number(value)}"
    return ""


def duration_text(node: Node) -> str:
    """A node's duration ("3.2 s"), counting up from its start while it runs."""
    if node.duration_s is not None:
        return f"{node.duration_s:.1f} s"
    if node.status == "Running" and node.start_time:
        started = datetime.fromisoformat(node.start_time).timestamp()
        return f"{max(0.0, time.time() - started):.0f} s…"
    return ""


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
