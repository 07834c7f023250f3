"""The training workflow's job summary from Azure's answers, with no project installed:

    az ml job show --name NAME --output json > pipeline.json
    az ml job list --parent-job-name NAME --output json > children.json
    PYTHONPATH=src python3 -m mlops.jobpage.azure_summary pipeline.json children.json \
        [decision.json]

prints the pipeline's graph as Mermaid markdown (the same graph `mlops job show --summary` draws
for a local job): the edges from the pipeline's bindings, each node's status from its child job
(matched by display name), and the gate's decision when its decision or registration JSON is given.
Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops.jobpage.mermaid import summary_markdown
from mlops.jobpage.model import Edge, JobGraph, Node

_BINDING = re.compile(
    r"\$\{\{\s*parent\.jobs\.(?P<node>[^.\s]+)\.outputs\.(?P<output>[^.\s}]+)\s*\}\}"
)


def from_azure(
    pipeline: dict[str, Any], children: list[dict[str, Any]], decision: dict[str, Any] | None
) -> JobGraph:
    """The graph of an Azure pipeline job (`az ml job show`) with its child jobs' statuses."""
    child = {entry.get("display_name"): entry for entry in children}
    jobs = pipeline.get("jobs") or {}
    nodes = []
    edges = []
    for node_id, entry in jobs.items():
        run = child.get(node_id) or {}
        properties = run.get("properties") or {}
        reused = str(properties.get("azureml.isreused", "")).lower() == "true"
        status = run.get("status") or "NotStarted"
        nodes.append(
            Node(
                id=node_id,
                type=entry.get("type") or "command",
                status="Reused" if reused and status == "Completed" else status,
                duration_s=_seconds(run.get("start_time"), run.get("end_time")),
                reused_from=properties.get("azureml.reusedrunid") if reused else None,
                decision=decision if _is_gate(node_id, entry, decision) else None,
            )
        )
        for input_name, value in (entry.get("inputs") or {}).items():
            text = value.get("path") if isinstance(value, dict) else value
            match = _BINDING.fullmatch(str(text).strip()) if text else None
            if match and match["node"] in jobs:
                edges.append(Edge(match["node"], match["output"], node_id, input_name))
    return JobGraph(
        name=pipeline.get("name") or "",
        status=pipeline.get("status") or "NotStarted",
        display_name=pipeline.get("display_name"),
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


def _seconds(start: str | None, end: str | None) -> float | None:
    """The seconds between two ISO times, when both are given."""
    if not start or not end:
        return None
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return None


def _is_gate(node_id: str, entry: dict[str, Any], decision: dict[str, Any] | None) -> bool:
    """The node whose output the decision came from: the one with an output named as the
    decision's `source_output` when given, else the first node with an `evaluation` output."""
    if not decision:
        return False
    wanted = decision.get("source_output", "evaluation")
    return wanted in (entry.get("outputs") or {})


def _decision(path: str | None) -> dict[str, Any] | None:
    """A decision.json, or the decision inside a registration.json; None when absent."""
    if not path or not Path(path).is_file():
        return None
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data.get("decision", data) if isinstance(data, dict) else None


def main(argv: list[str]) -> int:
    """Print the summary for `pipeline.json children.json [decision.json]`."""
    if len(argv) not in {2, 3}:
        sys.stderr.write(__doc__ or "")
        return 2
    pipeline = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    children = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    graph = from_azure(pipeline, children, _decision(argv[2] if len(argv) == 3 else None))
    sys.stdout.write(summary_markdown(graph))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
