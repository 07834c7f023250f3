"""A sweep node's trials: a table, and a chart of the primary metric per trial (matplotlib)."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from mlops.jobpage.model import Node


def trials_section(node: Node) -> str:
    """HTML for a node's trials (empty when it has none): each trial's status, parameters and
    metrics, then the primary metric per trial as a bar chart."""
    if not node.trials:
        return ""
    rows = [_flat(trial) for trial in node.trials]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(row.get(c, '')))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    chart = _chart(node.primary_metric, rows)
    return (
        f'<h4>Trials ({len(rows)})</h4><table class="trials"><tr>{head}</tr>{body}</table>{chart}'
    )


def _flat(trial: dict[str, Any]) -> dict[str, Any]:
    """A trial as one row: its own fields, then its parameters and metrics side by side."""
    row = {k: v for k, v in trial.items() if not isinstance(v, dict)}
    for key in ("parameters", "params", "search_space", "metrics"):
        row.update(trial.get(key) or {})
    return row


def _chart(metric: str | None, rows: list[dict[str, Any]]) -> str:
    if not metric:
        return ""
    points = [
        (str(row.get("name", i)), float(row[metric]))
        for i, row in enumerate(rows)
        if isinstance(row.get(metric), int | float)
    ]
    if not points:
        return ""
    # Deferred: matplotlib's import takes about a second; only a sweep's page draws a plot.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(max(4, 0.5 * len(points)), 3))
    axes.bar([name for name, _ in points], [value for _, value in points], color="#5c6bc0")
    axes.set_ylabel(metric)
    axes.set_title(f"{metric} per trial")
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    pyplot.close(figure)
    svg = buffer.getvalue()
    return f'<div class="trial-chart">{svg[svg.find("<svg") :]}</div>'
