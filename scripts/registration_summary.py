"""Turn the register step's registration.json into a job summary and step outputs.

Writes the gate's decision and the metrics to $GITHUB_STEP_SUMMARY, and `registered`, `name`
and `version` to $GITHUB_OUTPUT, so the deploy workflow gets the exact model version.

Usage: python3 scripts/registration_summary.py path/to/registration.json
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def summary(registration: dict) -> str:
    """Markdown: what was registered (or why not), and the new and production metrics."""
    decision = registration.get("decision", {})
    if registration.get("registered"):
        verdict = f"Registered **{registration['name']}** version **{registration['version']}**."
    else:
        verdict = f"Did not register {registration.get('name')}: {registration.get('reason')}."
    lines = ["## Training", "", verdict, "", f"Gate: {decision.get('reason', 'n/a')}", ""]
    new, production = decision.get("new_metrics", {}), decision.get("production_metrics") or {}
    lines += ["| metric | new model | production |", "| --- | --- | --- |"]
    for metric, value in sorted(new.items()):
        before = production.get(metric)
        lines.append(f"| {metric} | {value:.4g} | {'' if before is None else f'{before:.4g}'} |")
    return "\n".join(lines) + "\n"


def main(path: str) -> None:
    """Write the summary and the outputs."""
    registration = json.loads(Path(path).read_text())
    with open(os.environ.get("GITHUB_STEP_SUMMARY", os.devnull), "a", encoding="utf-8") as out:
        out.write(summary(registration))
    with open(os.environ.get("GITHUB_OUTPUT", os.devnull), "a", encoding="utf-8") as out:
        out.write(f"registered={str(bool(registration.get('registered'))).lower()}\n")
        out.write(f"name={registration.get('name')}\n")
        out.write(f"version={registration.get('version') or ''}\n")
    sys.stdout.write(summary(registration))


if __name__ == "__main__":
    main(sys.argv[1])
