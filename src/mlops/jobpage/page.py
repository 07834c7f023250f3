"""The job page: one self-contained HTML document (styles inline, graph drawn as SVG), linking to
the job's log and output files; it reloads itself every few seconds while the job is live."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from mlops.jobpage.model import JobGraph, Node, Output, gate_verdict
from mlops.jobpage.svg import COLOURS, duration_text, graph_svg, node_anchor
from mlops.jobpage.trials import trials_section

REFRESH_SECONDS = 2

_STYLE = """
body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:18px;margin:0 0 4px}
.status{font-weight:600}
main{padding:12px 20px;display:flex;gap:16px;align-items:flex-start}
#graph-box{flex:0 1 auto;max-width:60%;max-height:calc(100vh - 24px);overflow:auto;position:sticky;
  top:12px;background:#fff;border:1px solid #ddd;border-radius:6px}
#details{flex:1 1 0;min-width:320px}
.node-name{font-weight:600;font-size:13px}.node-mark{font-weight:400;fill:#555;font-size:11px}
.node-status{font-size:12px}.node-extra{font-size:11px;fill:#444}
.edge-label{font-size:11px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:4px}
.group-label{font-size:12px;fill:#3949ab}
a:target .node rect, .node:hover rect{filter:brightness(0.95)}
section.node-details{background:#fff;border:1px solid #ddd;border-radius:6px;
  margin:0 0 10px;padding:4px 14px}
section.node-details:target{outline:3px solid #7986cb}
table{border-collapse:collapse;margin:4px 0 10px}
td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
pre{background:#f3f3f3;padding:8px;overflow:auto;max-height:22em;font-size:12px}
img.plot{max-width:480px;border:1px solid #ddd}
.badge{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}
"""

# Keeps the reader's place (scroll, open panels) across the reloads of a live page.
_SCRIPT = """
(function(){
  var key='mlops-jobpage:'+location.pathname;
  try{var saved=JSON.parse(sessionStorage.getItem(key)||'{}');
    if(saved.y){window.scrollTo(0,saved.y);}
    (saved.open||[]).forEach(function(id){var d=document.getElementById(id);if(d){d.open=true;}});
  }catch(e){}
  window.addEventListener('beforeunload',function(){
    var open=[].slice.call(document.querySelectorAll('details[open]'))
      .map(function(d){return d.id;});
    sessionStorage.setItem(key,JSON.stringify({y:window.scrollY,open:open}));
  });
})();
"""


def render(job: JobGraph) -> str:
    """The page of `job` as HTML text."""
    refresh = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if job.live else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">{refresh}'
        f"<title>{escape(job.name)}: {escape(job.status)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"{_header(job)}<main>"
        f'<div id="graph-box">{graph_svg(job)}</div><div id="details">'
        f"{_job_outputs(job)}"
        + "".join(_details(node, index) for index, node in enumerate(job.nodes))
        + f"</div></main><script>{_SCRIPT}</script></body></html>\n"
    )


def _header(job: JobGraph) -> str:
    _, colour = COLOURS.get(job.status, COLOURS["NotStarted"])
    took = f" in {job.duration_s:.1f} s" if job.duration_s is not None else ""
    live = f" · redrawn every {REFRESH_SECONDS} s while it runs" if job.live else ""
    error = f"<div>{escape(job.error)}</div>" if job.error else ""
    inputs = ", ".join(f"{escape(k)}={escape(v)}" for k, v in job.inputs)
    started = f" · started {escape(_readable_time(job.start_time))}" if job.start_time else ""
    return (
        f"<header><h1>{escape(job.display_name or job.name)}</h1>"
        f'<div>job <code>{escape(job.name)}</code> · <span class="status" id="job-status" '
        f'style="color:{colour}">{escape(job.status)}</span>{took}'
        f"{started}{live}</div>"
        f"{error}{f'<div>inputs: {inputs}</div>' if inputs else ''}</header>"
    )


def _readable_time(iso: str) -> str:
    """An ISO timestamp as a person reads it, to the second: `2026-12-01 10:00:00 UTC`."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = "UTC" if moment.utcoffset() == timedelta(0) else moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M:%S} {zone}".rstrip()


def _job_outputs(job: JobGraph) -> str:
    if not job.outputs:
        return ""
    return (
        '<section class="node-details" id="job-outputs"><h3>Job outputs</h3>'
        f"{_outputs_list(job.outputs)}</section>"
    )


def _details(node: Node, index: int) -> str:
    _, colour = COLOURS.get(node.status, COLOURS["NotStarted"])
    facts = [
        f'<span class="badge" style="background:{colour}">{escape(node.status)}</span>',
        escape(node.type),
        escape(duration_text(node)),
    ]
    if node.status == "Failed" and node.exit_code is not None:
        facts.append(f"exit code {node.exit_code}")
    if node.reused_from:
        facts.append(f"reused from <code>{escape(node.reused_from)}</code>")
    parts = [
        f'<section class="node-details" id="{node_anchor(index)}" data-node="{escape(node.id)}">',
        f"<h3>{escape(node.id)}</h3><p>{' · '.join(f for f in facts if f)}</p>",
    ]
    if node.message:
        parts.append(f"<p>{escape(node.message)}</p>")
    parts.append(_decision(node))
    parts.append(_table("Metrics", [(k, _number(v)) for k, v in node.metrics], "metrics"))
    parts.append(_table("Parameters", list(node.parameters), "parameters"))
    parts.append(_table("Tags", list(node.tags), "tags"))
    parts.append(trials_section(node))
    parts += [
        f'<img class="plot" src="{_uri(image)}" alt="{escape(Path(image).name)}">'
        for image in node.images
    ]
    if node.outputs:
        parts.append(f"<h4>Outputs</h4>{_outputs_list(node.outputs)}")
    parts.append(_log(node, index))
    parts.append("</section>")
    return "".join(parts)


def _decision(node: Node) -> str:
    verdict = gate_verdict(node.decision)
    if not node.decision or verdict is None:
        return ""
    reason = node.decision.get("reason")
    return (
        f'<h4>Gate decision</h4><p class="decision"><strong>{escape(verdict)}</strong>'
        f"{' — ' + escape(str(reason)) if reason else ''}</p>"
    )


def _table(title: str, rows: list[tuple[str, str]], kind: str) -> str:
    if not rows:
        return ""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<h4>{title}</h4><table class="{kind}">{body}</table>'


def _outputs_list(outputs: tuple[Output, ...]) -> str:
    items = []
    for output in outputs:
        if not output.path:
            items.append(f"<li>{escape(output.name)}: (none yet)</li>")
            continue
        files = "".join(
            f'<li><a href="{_uri(file)}">{escape(_relative(file, output.path))}</a></li>'
            for file in output.files
        )
        items.append(
            f'<li><a href="{_uri(output.path)}">{escape(output.name)}</a>'
            f"{f'<ul>{files}</ul>' if files else ''}</li>"
        )
    return f'<ul class="outputs">{"".join(items)}</ul>'


def _log(node: Node, index: int) -> str:
    if not node.log_tail and not (node.log and Path(node.log).is_file()):
        return ""
    whole = (
        f' · <a href="{_uri(node.log)}">whole log</a>'
        if node.log and Path(node.log).is_file()
        else ""
    )
    tail = "\n".join(node.log_tail)
    opened = " open" if node.status == "Failed" else ""
    return (
        f'<details id="log-{index}"{opened}><summary>Log (last {len(node.log_tail)} lines)'
        f"{whole}</summary><pre>{escape(tail)}</pre></details>"
    )


def _uri(path: str) -> str:
    return escape(Path(path).absolute().as_uri())


def _relative(file: str, folder: str) -> str:
    try:
        inside = Path(file).relative_to(folder)
    except ValueError:
        return Path(file).name
    return Path(file).name if inside == Path() else str(inside)


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
