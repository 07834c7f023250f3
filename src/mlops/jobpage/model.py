"""What the job page and the Mermaid summary draw: a job's nodes, the edges between them, and
what each node shows. Standard library only, so the workflow's summary script can import it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LIVE_STATUSES = frozenset({"Running", "NotStarted", "Queued", "Preparing", "CancelRequested"})


@dataclass(frozen=True)
class Output:
    """One output of a node: its name, its folder or file, the files in it (capped)."""

    name: str
    path: str | None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    """One node of the pipeline, as the page shows it."""

    id: str
    type: str = "command"
    status: str = "NotStarted"
    duration_s: float | None = None
    start_time: str | None = None
    reused_from: str | None = None
    message: str | None = None
    exit_code: int | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    metrics: tuple[tuple[str, float], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    outputs: tuple[Output, ...] = ()
    log: str | None = None
    log_tail: tuple[str, ...] = ()
    decision: dict[str, Any] | None = None
    images: tuple[str, ...] = ()
    trials: tuple[dict[str, Any], ...] = ()
    primary_metric: str | None = None

    @property
    def label(self) -> str:
        """The node's own name (the last part of `outer/inner`)."""
        return self.id.rsplit("/", 1)[-1]

    @property
    def groups(self) -> tuple[str, ...]:
        """The pipeline components it sits in, outermost first (`a`, `a/b` for `a/b/c`)."""
        parts = self.id.split("/")[:-1]
        return tuple("/".join(parts[: i + 1]) for i in range(len(parts)))


@dataclass(frozen=True)
class Edge:
    """Output `output` of node `source` feeds input `input` of node `target`."""

    source: str
    output: str
    target: str
    input: str

    @property
    def label(self) -> str:
        """`output -> input`, as the page and the summary label the edge."""
        return f"{self.output} → {self.input}"


@dataclass(frozen=True)
class JobGraph:
    """A job: its nodes in the record's order and the edges of its bindings."""

    name: str
    status: str
    display_name: str | None = None
    duration_s: float | None = None
    start_time: str | None = None
    error: str | None = None
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    outputs: tuple[Output, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        """Whether the job may still change (the page then redraws itself)."""
        return self.status in LIVE_STATUSES

    def groups(self) -> list[str]:
        """Every pipeline component (group) holding nodes, outermost first."""
        return sorted({group for node in self.nodes for group in node.groups}, key=_depth)


def _depth(group: str) -> tuple[int, str]:
    return (group.count("/"), group)


def gate_verdict(decision: dict[str, Any] | None) -> str | None:
    """A gate's decision in a few words ("register", "do not register"), when it says one."""
    if not decision:
        return None
    verdict = decision.get("register", decision.get("decision"))
    if isinstance(verdict, bool):
        return "register" if verdict else "do not register"
    return None if verdict is None else str(verdict)
