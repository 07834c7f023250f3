"""The job's graph as Mermaid markdown (GitHub renders it in a job summary): each node with its
status, duration and reuse, nested pipelines as subgraphs, edges labelled output -> input, and
the gate's decision. Standard library only."""

from __future__ import annotations

from mlops.jobpage.model import JobGraph, Node, gate_verdict

_CLASSES = {
    "Completed": "fill:#e3f4e5,stroke:#2e7d32",
    "Reused": "fill:#e0f0f7,stroke:#1b6f8f",
    "Failed": "fill:#fde4e4,stroke:#c62828",
    "Running": "fill:#fff4d6,stroke:#c77700",
    "Canceled": "fill:#ececec,stroke:#616161",
    "NotStarted": "fill:#f7f7f7,stroke:#9e9e9e",
}


def summary_markdown(job: JobGraph) -> str:
    """Markdown: a heading with the job's status, the Mermaid graph, the gate's decision."""
    ids = {node.id: f"n{index}" for index, node in enumerate(job.nodes)}
    lines = [f"## Pipeline {job.display_name or job.name}: {job.status}", "", "```mermaid"]
    lines += mermaid(job, ids)
    lines += ["```", ""]
    for node in job.nodes:
        verdict = gate_verdict(node.decision)
        if verdict:
            reason = (node.decision or {}).get("reason")
            lines.append(f"Gate ({node.id}): **{verdict}**{f' — {reason}' if reason else ''}")
            lines.append("")
    return "\n".join(lines)


def mermaid(job: JobGraph, ids: dict[str, str]) -> list[str]:
    """The Mermaid `flowchart` lines of the job's graph."""
    lines = ["flowchart TD"]
    lines += _level(job, "", ids, "  ")
    for edge in job.edges:
        lines.append(f'  {ids[edge.source]} -- "{_text(edge.label)}" --> {ids[edge.target]}')
    for status, style in _CLASSES.items():
        lines.append(f"  classDef {status} {style}")
    return lines


def _level(job: JobGraph, group: str, ids: dict[str, str], indent: str) -> list[str]:
    """The nodes directly in `group` ("" for the top), then each group inside it as a subgraph."""
    lines = []
    for node in job.nodes:
        if (node.groups[-1] if node.groups else "") == group:
            lines.append(f'{indent}{ids[node.id]}["{_text(_box(node))}"]:::{_class(node)}')
    for index, inner in enumerate(job.groups()):
        parent = inner.rsplit("/", 1)[0] if "/" in inner else ""
        if parent != group:
            continue
        lines.append(f'{indent}subgraph g{index}["pipeline {_text(inner.rsplit("/", 1)[-1])}"]')
        lines += _level(job, inner, ids, indent + "  ")
        lines.append(f"{indent}end")
    return lines


def _box(node: Node) -> str:
    mark = f" ({node.type})" if node.type in {"parallel", "sweep"} else ""
    took = f" {node.duration_s:.1f} s" if node.duration_s is not None else ""
    reuse = " ↺" if node.status == "Reused" else ""
    verdict = gate_verdict(node.decision)
    gate = f"<br/>gate: {verdict}" if verdict else ""
    return f"{node.label}{mark}<br/>{node.status}{reuse}{took}{gate}"


def _class(node: Node) -> str:
    return node.status if node.status in _CLASSES else "NotStarted"


def _text(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return text.replace('"', "#quot;")
