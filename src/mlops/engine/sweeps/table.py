"""What a running sweep shows on stderr: a live table of its trials on a terminal (parameters,
status, primary metric as it arrives, best so far), one line per trial event otherwise, and a
summary naming the best trial."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

_MARKS = {"Completed": "✓", "Failed": "✗", "Running": "…", "Canceled": "⊘"}


class TrialTable:
    """Draws the trials of one sweep as they change."""

    def __init__(self, metric: str, stream: TextIO | None = None, *, live: bool | None = None):
        """A table for `metric`, redrawn on a terminal (`live`), else one line per change."""
        self.metric = metric
        self.out = stream or sys.stderr
        self.live = self.out.isatty() if live is None else live
        self._drawn = 0
        self._seen: dict[str, tuple[str, float | None]] = {}
        self._best: str | None = None

    def started(self, name: str, total: int, concurrent: int, goal: str) -> None:
        """Announce the sweep."""
        self._write(
            f"Sweep {name}: up to {total} trials, {concurrent} at once, {goal} {self.metric}\n"
        )

    def update(self, trials: list[Any], best: Any) -> None:
        """Redraw the table (terminal), or print the trials whose status or primary metric
        changed and the best trial when it changed (plain lines, for CI logs)."""
        if self.live:
            lines = self.lines(trials, best)
            if self._drawn:
                self._write(f"\x1b[{self._drawn}F")
            self._write("".join(f"\x1b[2K{line}\n" for line in lines))
            self._drawn = len(lines)
            return
        width = _width(trials)
        for trial in trials:
            seen = (trial.state.status, trial.metric)
            if self._seen.get(trial.id) != seen:
                self._seen[trial.id] = seen
                self._write(self._line(trial, best, width) + "\n")
        if best is not None and best.id != self._best:
            self._best = best.id
            self._write(f"  best so far: {best_text(best, self.metric)}\n")

    def lines(self, trials: list[Any], best: Any) -> list[str]:
        """One line per trial, as the live table shows them."""
        width = _width(trials)
        return [self._line(trial, best, width) for trial in trials]

    def _line(self, trial: Any, best: Any, width: int) -> str:
        state = trial.state
        seconds = ""
        if state.start_time:
            seconds = f"{(state.end_time or time.time()) - state.start_time:5.1f} s"
        metric = f"{self.metric}={_number(trial.metric)}" if trial.metric is not None else ""
        star = " ★ best" if best is not None and best.id == trial.id else ""
        why = f"  ({state.message})" if state.message else ""
        return (
            f"  {_MARKS.get(state.status, ' ')} {trial.id:<{width}} {parameters_text(trial):<36} "
            f"{state.status:<10} {seconds:>7}  {metric}{star}{why}"
        ).rstrip()

    def summary(self, record: dict[str, Any]) -> None:
        """The final summary: status, trial counts, the best trial and where things are."""
        self._write(summary_text(record))

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()


def parameters_text(trial: Any) -> str:
    """`alpha=0.3 kind=a`: a trial's parameters, short."""
    return " ".join(f"{k}={_number(v)}" for k, v in trial.suggestion.parameters.items())


def best_text(best: Any, metric: str) -> str:
    """`trial_1 score=0.9 with alpha=0.3`: the best trial, its metric and its parameters."""
    return f"{best.id} {metric}={_number(best.metric)} with {parameters_text(best)}"


def node_summary(node: str, status: str, trials: list[Any], best: Any, metric: str) -> str:
    """What a pipeline prints when its sweep node ends: the trial counts and the best trial."""
    counts: dict[str, int] = {}
    for trial in trials:
        counts[trial.state.status] = counts.get(trial.state.status, 0) + 1
    tally = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    found = best_text(best, metric) if best is not None else "none"
    return f"  {node}: sweep {status}, {len(trials)} trials ({tally or 'none'}); best trial {found}"


def summary_text(record: dict[str, Any]) -> str:
    """The summary of a finished sweep, as `mlops job create` prints it."""
    counts: dict[str, int] = {}
    for trial in record["jobs"].values():
        counts[trial["status"]] = counts.get(trial["status"], 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    lines = [
        f"\nSweep {record['name']}: {record['status']} in {record.get('duration_s') or 0:.1f} s"
        f" -- {len(record['jobs'])} trials ({tally or 'none'})"
    ]
    if record.get("message"):
        lines.append(f"  {record['message']}")
    best = record.get("best_trial")
    if best:
        shown = " ".join(f"{k}={_number(v)}" for k, v in best["parameters"].items())
        lines.append(
            f"Best trial: {best['name']}  {record['objective']['primary_metric']}="
            f"{_number(best['metric'])}  with {shown}"
        )
    else:
        lines.append("Best trial: none (no trial completed with the primary metric logged)")
    for name, trial in record["jobs"].items():
        if trial["status"] == "Failed":
            lines += [f"  {name} failed:"] + [f"    | {x}" for x in trial.get("log_tail", [])[-5:]]
            lines.append(f"    log: {trial['log']}")
    lines.append(f"Outputs and logs: {_shown(record['properties']['job_folder'])}")
    for name, output in (record.get("outputs") or {}).items():
        lines.append(f"  {name} (best trial's): {_shown(output.get('path'))}")
    lines.append(f"MLflow UI: {record['services']['Studio']['endpoint']}")
    return "\n".join(lines) + "\n"


def _width(trials: list[Any]) -> int:
    return max((len(trial.id) for trial in trials), default=9)


def _shown(path: str | None) -> str | None:
    if path is None or not Path(path).is_relative_to(Path.cwd()):
        return path
    return str(Path(path).relative_to(Path.cwd()))


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
