"""What a running job shows on stderr: a live view of the nodes (and a sweep node's trials) on a
terminal, plain lines otherwise, the node logs with `--stream`, and the final summary."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

from mlops import jobstore as store
from mlops.engine.sweeps.table import TrialTable, node_summary

_REDRAW_SECONDS = 0.5
_MARKS = {"Completed": "✓", "Reused": "↺", "Failed": "✗", "Running": "…", "Canceled": "⊘"}


class Progress:
    """Reports node status changes (and, with `stream`, node log lines) as a job runs."""

    def __init__(self, stream: TextIO | None = None, *, follow_logs: bool = False) -> None:
        self.out = stream or sys.stderr
        self.live = self.out.isatty() and not follow_logs
        self.follow_logs = follow_logs
        self._drawn = 0
        self._log_positions: dict[str, int] = {}
        self._last_signature: list[str] = []
        self._last_draw = 0.0
        self._job = ""
        # The nodes and trials whose log was read a last time, when they ended.
        self._ended: set[str] = set()
        # Each sweep node's trial table, and its trials and best one as last reported.
        self._tables: dict[str, TrialTable] = {}
        self._trials: dict[str, tuple[list[Any], Any]] = {}

    def started(self, name: str, nodes: list[str]) -> None:
        """Announce the job."""
        self._job = name
        self._write(f"Job {name}: {len(nodes)} nodes\n")

    def changed(self, node: str, status: str, seconds: float | None) -> None:
        """One node changed status (plain-line mode only; the live view redraws in tick)."""
        if status != "Running" and node not in self._tables:  # a sweep node's log is the engine's
            self._follow_last(node)
        if self.live:
            return
        duration = f" ({seconds:.1f} s)" if seconds is not None and status != "Running" else ""
        self._write(f"  {node}: {status}{duration}\n")

    def trials(self, node: str, metric: str, trials: list[Any], best: Any) -> None:
        """A sweep node's trials changed: plain lines for the trials whose status or primary
        metric changed (and the best one so far), or rows under the node in the live view."""
        table = self._tables.setdefault(node, TrialTable(metric, self.out, live=False))
        for trial in trials:
            if trial.state.status not in {"NotStarted", "Running"}:
                self._follow_last(trial.id)
        self._trials[node] = (trials, best)
        if not self.live:
            table.update(trials, best)

    def sweep_ended(self, node: str, status: str) -> None:
        """A sweep node ended: one line naming its best trial and the trial's parameters."""
        if node not in self._tables or self.live:
            return
        trials, best = self._trials[node]
        self._write(node_summary(node, status, trials, best, self._tables[node].metric) + "\n")

    def tick(self, states: dict[str, Any], logs: dict[str, Path]) -> None:
        """Redraw the live view, and print new log lines when following logs."""
        if self.follow_logs:
            for node, path in logs.items():
                self._follow(node, path)
        if not self.live:
            return
        signature = [state.status for state in states.values()] + [
            (trial.state.status, trial.metric)
            for trials, _best in self._trials.values()
            for trial in trials
        ]
        if signature == self._last_signature and time.time() - self._last_draw < _REDRAW_SECONDS:
            return
        self._last_signature, self._last_draw = signature, time.time()
        lines = []
        for node, state in states.items():
            lines.append(_line(node, state))
            if node in self._trials:
                lines += [f"  {row}" for row in self._tables[node].lines(*self._trials[node])]
        if self._drawn:
            self._write(f"\x1b[{self._drawn}F")
        self._write("".join(f"\x1b[2K{line}\n" for line in lines))
        self._drawn = len(lines)

    def _follow_last(self, node: str) -> None:
        """Print the last lines of a node's (or trial's) log when it ends and logs are followed,
        also of one that started and ended between two ticks, which no tick read."""
        if self.follow_logs and node not in self._ended:
            self._ended.add(node)
            self._follow(node, store.log_path(self._job, node))

    def _follow(self, node: str, path: Path) -> None:
        if not path.is_file():
            return
        position = self._log_positions.get(node, 0)
        with path.open("rb") as stream:
            stream.seek(position)
            data = stream.read()
        complete = data[: data.rfind(b"\n") + 1]
        self._log_positions[node] = position + len(complete)
        for line in complete.decode(errors="replace").splitlines():
            self._write(f"[{node}] {line}\n")

    def summary(self, record: dict[str, Any]) -> None:
        """The final summary: status, each node's status, duration and metrics, where things are."""
        self._write(summary_text(record))

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()


def _line(node: str, state: Any) -> str:
    status = state.status
    seconds = ""
    if state.start_time:
        seconds = f"{(state.end_time or time.time()) - state.start_time:6.1f} s"
    return f"  {_MARKS.get(status, ' ')} {node:<28} {status:<11} {seconds}"


def summary_text(record: dict[str, Any]) -> str:
    """The summary of a finished job, as `mlops job create` prints it."""
    lines = [f"\nJob {record['name']}: {record['status']} in {record.get('duration_s') or 0:.1f} s"]
    width = max((len(node) for node in record["jobs"]), default=4)
    for node, state in record["jobs"].items():
        duration = state.get("duration_s")
        took = f"{duration:6.1f} s" if duration is not None else " " * 8
        shown = {**(state.get("metrics") or {}), **(state.get("tags") or {})}
        metrics = "  ".join(f"{k}={_number(v)}" for k, v in sorted(shown.items()))
        lines.append(f"  {node:<{width}}  {state['status']:<10} {took}  {metrics}".rstrip())
        best = next(
            (t for t in state.get("trials") or [] if t["name"] == state.get("best_trial")), None
        )
        if best:
            shown = " ".join(f"{k}={_number(v)}" for k, v in best["parameters"].items())
            lines.append(f"    best trial: {best['name']} with {shown}")
        if state["status"] == "Failed":
            lines += [f"    | {line}" for line in state.get("log_tail", [])]
            lines.append(f"    log: {state['log']}")
    lines.append(f"Outputs and logs: {_shown(record['properties']['job_folder'])}")
    for name, output in (record.get("outputs") or {}).items():
        lines.append(f"  {name}: {_shown(output.get('path'))}")
    here = f"sqlite:///{Path.cwd()}/"
    lines.append(
        f"MLflow UI: {record['services']['Studio']['endpoint'].replace(here, 'sqlite:///')}"
    )
    return "\n".join(lines) + "\n"


def _shown(path: str | None) -> str | None:
    """A path relative to the working folder when it is inside it, as a user would type it."""
    if path is None or not Path(path).is_relative_to(Path.cwd()):
        return path
    return str(Path(path).relative_to(Path.cwd()))


def _number(value: float) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
