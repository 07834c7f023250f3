"""Where each node, edge and group goes: a layered (Sugiyama) layout computed by grandalf, top
to bottom in the direction data flows; groups are the boxes around a pipeline component's nodes."""

from __future__ import annotations

from dataclasses import dataclass

from mlops.jobpage.model import Edge, JobGraph

NODE_WIDTH = 210.0
NODE_HEIGHT = 66.0
_X_SPACE = 50.0
_Y_SPACE = 70.0
_MARGIN = 30.0
_GROUP_PAD = 14.0
_GROUP_LABEL = 18.0
_COMPONENT_GAP = 60.0


@dataclass(frozen=True)
class Box:
    """A rectangle: top-left corner, width and height."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Route:
    """The edges from one node to another (several when several outputs feed it) and the
    polyline they are drawn along."""

    source: str
    target: str
    edges: tuple[Edge, ...]
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    """The laid-out graph: a box per node and per group, a route per connected pair."""

    nodes: dict[str, Box]
    routes: tuple[Route, ...]
    groups: dict[str, Box]
    width: float
    height: float


class _View:
    """grandalf's vertex view: the size it reads, the centre it writes."""

    def __init__(self) -> None:
        self.w, self.h = NODE_WIDTH, NODE_HEIGHT
        self.xy = (0.0, 0.0)


class _EdgeView:
    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = [tuple(point) for point in points]


def layout(job: JobGraph) -> Layout:
    """Lay the job's nodes out in layers along its edges (connected parts side by side)."""
    # Deferred: only a page that draws a graph needs grandalf.
    from grandalf.graphs import Edge as GEdge
    from grandalf.graphs import Graph, Vertex
    from grandalf.layouts import SugiyamaLayout
    from grandalf.routing import route_with_lines

    vertices = {node.id: Vertex(node.id) for node in job.nodes}
    for vertex in vertices.values():
        vertex.view = _View()
    pairs: dict[tuple[str, str], list[Edge]] = {}
    for edge in job.edges:
        if edge.source != edge.target:
            pairs.setdefault((edge.source, edge.target), []).append(edge)
    links = {}
    for source, target in pairs:
        link = GEdge(vertices[source], vertices[target])
        link.view = _EdgeView()
        links[(source, target)] = link
    graph = Graph(list(vertices.values()), list(links.values()))

    centres: dict[str, tuple[float, float]] = {}
    paths: dict[tuple[str, str], list[tuple[float, float]]] = {}
    offset = 0.0
    for part in graph.C:
        sugiyama = SugiyamaLayout(part)
        sugiyama.xspace, sugiyama.yspace = _X_SPACE, _Y_SPACE
        sugiyama.init_all()
        sugiyama.draw()
        sugiyama.route_edge = route_with_lines
        sugiyama.draw_edges()
        members = list(part.sV)
        left = min(vertex.view.xy[0] for vertex in members) - NODE_WIDTH / 2
        right = max(vertex.view.xy[0] for vertex in members) + NODE_WIDTH / 2
        shift = offset - left
        for vertex in members:
            centres[vertex.data] = (vertex.view.xy[0] + shift, vertex.view.xy[1])
        for link in part.sE:
            key = (link.v[0].data, link.v[1].data)
            paths[key] = [(x + shift, y) for x, y in link.view.points]
        offset += right - left + _COMPONENT_GAP

    depth = max((len(node.groups) for node in job.nodes), default=0)
    margin = _MARGIN + depth * (_GROUP_PAD + _GROUP_LABEL)
    boxes = {
        node_id: Box(
            x - NODE_WIDTH / 2 + margin, y - NODE_HEIGHT / 2 + margin, NODE_WIDTH, NODE_HEIGHT
        )
        for node_id, (x, y) in centres.items()
    }
    routes = tuple(
        Route(
            source,
            target,
            tuple(edges),
            tuple((x + margin, y + margin) for x, y in paths.get((source, target), [])),
        )
        for (source, target), edges in pairs.items()
    )
    groups = _group_boxes(job, boxes)
    right = max([box.x + box.width for box in [*boxes.values(), *groups.values()]], default=0)
    bottom = max([box.y + box.height for box in [*boxes.values(), *groups.values()]], default=0)
    return Layout(boxes, routes, groups, right + _MARGIN, bottom + _MARGIN)


def _group_boxes(job: JobGraph, boxes: dict[str, Box]) -> dict[str, Box]:
    """Each group's box: around its nodes, wider by a pad per level of nesting inside it."""
    groups = {}
    for group in job.groups():
        level = group.count("/") + 1
        members = [boxes[node.id] for node in job.nodes if group in node.groups]
        inner = max(len(node.groups) for node in job.nodes if group in node.groups) - level
        pad = _GROUP_PAD * (inner + 1) + _GROUP_LABEL * inner
        left = min(box.x for box in members) - pad
        top = min(box.y for box in members) - pad - _GROUP_LABEL
        right = max(box.x + box.width for box in members) + pad
        bottom = max(box.y + box.height for box in members) + pad
        groups[group] = Box(left, top, right - left, bottom - top)
    return groups
