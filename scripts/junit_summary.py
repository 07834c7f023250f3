"""Print a pytest JUnit XML report as a Markdown summary (for a CI job summary).

Usage: python scripts/junit_summary.py reports/junit.xml
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree


def summary(path: str) -> str:
    """The totals, and every failed or erroring test with its message."""
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    totals = {
        key: sum(int(suite.get(key, 0)) for suite in suites)
        for key in ("tests", "failures", "errors", "skipped")
    }
    seconds = sum(float(suite.get("time", 0)) for suite in suites)
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    lines = [
        "## Tests",
        "",
        f"{passed} passed, {totals['failures']} failed, {totals['errors']} errors, "
        f"{totals['skipped']} skipped in {seconds:.0f} s",
    ]
    for case in root.iter("testcase"):
        for problem in [*case.findall("failure"), *case.findall("error")]:
            message = (problem.get("message") or "").splitlines()[0][:200]
            lines.append(f"- `{case.get('classname')}::{case.get('name')}`: {message}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(summary(sys.argv[1]))
