"""GitHub workflows: the workflow JSON schema, zizmor, and the files they pass to `az ml`.

check-jsonschema (with its bundled schema) and zizmor run offline as subprocesses, started
before the Azure ML checks so they overlap with them.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from mlops.errors import Problem
from mlops.home import repo_root

_AZ_ML_FILE_FLAGS = {"-f", "--file", "--request-file"}
_SCHEMA_ERROR = re.compile(r"^\s*(?P<file>\S+?)::(?P<path>\S+): (?P<message>.+)$")


class WorkflowLinters:
    """The linters running on a set of workflow files; `problems()` waits for them."""

    def __init__(self, workflows: list[Path]) -> None:
        self.workflows = workflows
        tools = Path(sys.executable).parent
        names = [str(path) for path in workflows]
        self._schema = _start(
            [
                str(tools / "check-jsonschema"),
                "--builtin-schema",
                "vendor.github-workflows",
                "--output-format",
                "text",
                *names,
            ]
        )
        self._zizmor = _start(
            [str(tools / "zizmor"), "--offline", "--format", "json", "--no-progress", *names]
        )

    def problems(self) -> list[Problem]:
        """Schema, zizmor and `az ml` file problems of every workflow."""
        problems = _schema_problems(self._schema)
        problems += _zizmor_problems(self._zizmor)
        for workflow in self.workflows:
            problems += az_ml_file_problems(workflow)
        return problems


def _start(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _schema_problems(process: subprocess.Popen[str]) -> list[Problem]:
    out, err = process.communicate()
    if process.returncode == 0:
        return []
    problems = []
    for line in (out + err).splitlines():
        match = _SCHEMA_ERROR.match(line)
        if match:
            problems.append(
                Problem(match["file"], None, match["path"].removeprefix("$."), match["message"])
            )
    return problems or [Problem("workflows", None, "schema", (out + err).strip())]


def _zizmor_problems(process: subprocess.Popen[str]) -> list[Problem]:
    out, err = process.communicate()
    if process.returncode == 0:
        return []
    try:
        findings = json.loads(out)
    except json.JSONDecodeError:
        return [Problem("workflows", None, "zizmor", err.strip() or out.strip())]
    problems = []
    for finding in findings:
        for location in finding.get("locations", []):
            symbolic = location.get("symbolic", {})
            concrete = location.get("concrete", {}).get("location", {})
            if symbolic.get("kind") != "Primary":
                continue
            file = symbolic.get("key", {}).get("Local", {}).get("given_path", "workflow")
            line = concrete.get("start_point", {}).get("row")
            problems.append(
                Problem(
                    file,
                    line + 1 if line is not None else None,
                    f"zizmor {finding.get('ident')}",
                    finding.get("desc", ""),
                    finding.get("url"),
                )
            )
    return problems


def az_ml_file_problems(workflow: Path) -> list[Problem]:
    """Every file a workflow's `run:` steps pass to `az ml` must exist and validate."""
    from mlops.validation.files import check_file

    document = yaml.safe_load(workflow.read_text(encoding="utf-8")) or {}
    root = repo_root(workflow.resolve().parent)
    problems = []
    for job_name, job in (document.get("jobs") or {}).items():
        for position, step in enumerate(job.get("steps") or []):
            for file in az_ml_files(str(step.get("run", ""))):
                target = root / file
                field = f"jobs.{job_name}.steps[{position}].run"
                if not target.exists():
                    problems.append(
                        Problem(
                            str(workflow),
                            None,
                            field,
                            f"az ml is given {file}, which does not exist",
                        )
                    )
                elif target.suffix in {".yml", ".yaml"}:
                    problems += check_file(target)
    return list(dict.fromkeys(problems))


def az_ml_files(script: str) -> list[str]:
    """The literal file paths a shell script passes to `az ml` with -f/--file/--request-file."""
    files = []
    for line in script.replace("\\\n", " ").splitlines():
        if "az ml" not in line and "AZ_ML" not in line:
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        for flag, value in itertools.pairwise(words):
            if flag in _AZ_ML_FILE_FLAGS and "$" not in value:
                files.append(value)
    return files
