"""GitHub workflows: the JSON schema, zizmor, actionlint, and the files they pass to `az ml`.

check-jsonschema (with its bundled schema), zizmor and actionlint run offline as subprocesses,
started before the Azure ML checks so they overlap with them.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from mlops.documents import display_path, read_document
from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.home import repo_root

# `files` imports this module too: a module reference, read at call time, lets both load.
from mlops.validation import actionlint, files

_AZ_ML_FILE_FLAGS = {"-f", "--file", "--request-file"}
_WORKFLOW_SYNTAX = "https://docs.github.com/actions/reference/workflow-syntax-for-github-actions"
_SCHEMA_ERROR = re.compile(r"^\s*(?P<file>\S+?)::(?P<path>\S+): (?P<message>.+)$")


class WorkflowLinters:
    """The linters running on a set of workflow files; `problems()` waits for them."""

    def __init__(self, workflows: list[Path]) -> None:
        self.workflows = workflows
        names = [str(path) for path in workflows]
        self._schema = _start(
            [
                _tool("check-jsonschema"),
                "--builtin-schema",
                "vendor.github-workflows",
                "--output-format",
                "text",
                *names,
            ]
        )
        self._zizmor = _start(
            [_tool("zizmor"), "--offline", "--format", "json", "--no-progress", *names]
        )
        self._actionlint = actionlint.start(workflows, repo_root(workflows[0].resolve().parent))

    def problems(self, check: Callable[[Path], list[Problem]] | None = None) -> list[Problem]:
        """Schema, zizmor, actionlint and `az ml` file problems of every workflow.

        Args:
            check: Checks one file a workflow passes to `az ml` (default: `check_file`).
        """
        problems = []
        for workflow in self.workflows:
            problems += az_ml_file_problems(workflow, check)
        problems += _schema_problems(self._schema)
        problems += _zizmor_problems(self._zizmor)
        problems += actionlint.problems(self._actionlint)
        return problems


def _tool(name: str) -> str:
    """The linter executable: beside this interpreter (its virtualenv), else on PATH.

    Raises:
        MlopsError: It is in neither place.
    """
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise MlopsError(
            f"cannot check the GitHub workflows: the {name} executable is missing (looked in "
            f"{beside.parent} and on PATH). Fix: install the dev dependencies "
            "(`uv pip install -e '.[dev]'`), or validate other folders only "
            "(`mlops validate components pipelines`)."
        )
    return found


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
            field = match["path"].removeprefix("$.")
            problems.append(
                Problem(
                    match["file"],
                    _line(match["file"], field),
                    field,
                    match["message"],
                    f"see {_WORKFLOW_SYNTAX}",
                )
            )
    return problems or [Problem("workflows", None, "schema", (out + err).strip())]


def _line(file: str, field: str) -> int | None:
    try:
        return read_document(Path(file)).line(field)
    except ProblemsFound:
        return None


def _zizmor_problems(process: subprocess.Popen[str]) -> list[Problem]:
    out, err = process.communicate()
    if process.returncode == 0:
        return []
    try:
        findings = json.loads(out)
    except json.JSONDecodeError:
        if "no inputs collected" in err:
            # Every workflow failed zizmor's own schema check: the schema problems say why.
            return []
        return [Problem("workflows", None, "zizmor", _first_error(err or out))]
    problems = []
    for finding in findings:
        for location in finding.get("locations", []):
            symbolic = location.get("symbolic", {})
            concrete = location.get("concrete", {}).get("location", {})
            if symbolic.get("kind") != "Primary":
                continue
            local = symbolic.get("key", {}).get("Local", {})
            file = local.get("given_path") or local.get("verbatim_path") or "workflow"
            line = concrete.get("start_point", {}).get("row")
            route = _route(symbolic.get("route", {}).get("route", []))
            problems.append(
                Problem(
                    file,
                    line + 1 if line is not None else None,
                    f"{route}: zizmor {finding.get('ident')}"
                    if route
                    else f"zizmor {finding.get('ident')}",
                    finding.get("desc", ""),
                    f"see {finding.get('url')}" if finding.get("url") else None,
                )
            )
    return problems


def _route(steps: list[dict]) -> str:
    """zizmor's route (`[{"Key": "jobs"}, {"Index": 0}]`) as a dotted field (`jobs[0]`)."""
    field = ""
    for step in steps:
        if "Key" in step:
            field += f".{step['Key']}" if field else str(step["Key"])
        elif "Index" in step:
            field += f"[{step['Index']}]"
    return field


def _first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return next(
        (line for line in lines if line.startswith(("error", "fatal"))), lines[0] if lines else text
    )


def az_ml_file_problems(
    workflow: Path, check: Callable[[Path], list[Problem]] | None = None
) -> list[Problem]:
    """Every file a workflow's `run:` steps pass to `az ml` must exist and validate.

    Args:
        workflow: The workflow file.
        check: Checks one such file (default: `mlops.validation.files.check_file`).
    """
    check = check or files.check_file

    document = read_document(workflow)
    root = repo_root(workflow.resolve().parent)
    problems = []
    for job_name, job in ((document.data or {}).get("jobs") or {}).items():
        for position, step in enumerate((job or {}).get("steps") or []):
            for file in az_ml_files(str((step or {}).get("run", ""))):
                target = root / file
                field = f"jobs.{job_name}.steps[{position}].run"
                if not target.exists():
                    problems.append(
                        Problem(
                            str(workflow),
                            document.line(field),
                            field,
                            f"az ml is given {file}, which does not exist",
                            "give the path from the repository root, as the workflow runs there",
                        )
                    )
                elif target.suffix in {".yml", ".yaml"}:
                    problems += check(display_path(target))
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
