"""Checks of a sweep job that azure-ai-ml leaves to the service: the search space (types,
bounds, what the sampling algorithm accepts), the objective, the limits, the early termination
policy, `${{search_space.<name>}}` references in the trial's command, and -- where the trial's
code is local -- a primary metric its code never names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mlops.documents import YamlDocument, read_document
from mlops.errors import Problem
from mlops.sweep.space import Expression, SpaceError
from mlops.sweep.spec import parse_spec
from mlops.validation.literals import literal_problem

_SEARCH_SPACE = re.compile(r"\$\{\{\s*search_space\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Code that logs metrics without naming them (autologging) can log any primary metric.
_AUTOLOG = "autolog("


def sweep_problems(job: Any, path: Path) -> list[Problem]:
    """Every problem of a loaded `type: sweep` job.

    Args:
        job: The SweepJob azure-ai-ml loaded.
        path: Its YAML file (for line numbers).

    Returns:
        The problems, each naming the file, line and field, with the fix.
    """
    document = read_document(path)
    data = job._to_dict()
    try:
        spec = parse_spec(data, cores=1)
    except SpaceError as error:
        field, _, message = str(error).partition(": ")
        key = field.split(" ")[0]
        return [Problem(str(path), document.line(key), key, message)]
    problems = []
    command = str(getattr(job.trial, "command", None) or "")
    for name in sorted(set(_SEARCH_SPACE.findall(command)) - set(spec.space)):
        problems.append(
            Problem(
                str(path),
                document.line("trial.command"),
                "trial.command",
                f"${{{{search_space.{name}}}}} names no hyperparameter of search_space",
                f"add {name} to search_space or correct the name",
            )
        )
    for name in sorted(set(spec.space) - set(_SEARCH_SPACE.findall(command))):
        problems.append(
            Problem(
                str(path),
                document.line(f"search_space.{name}"),
                f"search_space.{name}",
                "the trial's command never uses it, so every trial would run the same command",
                f"pass it with ${{{{search_space.{name}}}}} or remove it",
            )
        )
    trial = job.trial
    unnamed = _metric_never_named(getattr(trial, "code", None), job.base_path, spec.primary_metric)
    if unnamed:
        problems.append(
            Problem(
                str(path),
                document.line("objective.primary_metric"),
                "objective.primary_metric",
                f"{spec.primary_metric!r} appears nowhere in the trial's code ({unnamed}), so "
                "no trial would log it",
                "log it with mlflow.log_metric or name the metric the code logs",
            )
        )
    return problems


def sweep_node_problems(
    node: Any, trial: Any, file: str, document: YamlDocument, prefix: str
) -> list[Problem]:
    """Every problem of a pipeline's `type: sweep` node that azure-ai-ml leaves to the service.

    Args:
        node: The Sweep node azure-ai-ml loaded.
        trial: Its trial component (its inputs are what the search space may set).
        file: The pipeline's file, and `document` its parsed YAML, for locations.
        prefix: The node's field path, `jobs.<name>`.

    Returns:
        The problems: malformed sweep settings, a hyperparameter that is not an input of the
        trial or whose values do not fit it (type, min/max, enum), a primary metric the trial's
        local code never names.
    """

    def problem(field: str, message: str, fix: str | None = None) -> Problem:
        path = f"{prefix}.{field}"
        return Problem(file, document.line(path), path, message, fix)

    try:
        spec = parse_spec(node._to_dict(), cores=1)
    except SpaceError as error:
        field, _, message = str(error).partition(": ")
        return [problem(field.split(" ")[0], message)]
    inputs = getattr(trial, "inputs", None) or {}
    declared = set(inputs)
    problems = [
        problem(
            f"search_space.{name}",
            f"the value {value!r} does not fit the trial's input {name!r}: {why}",
            "sample only values the input accepts",
        )
        for name, expression in spec.space.items()
        if name in inputs
        for value in _extremes(expression)
        if (why := literal_problem(inputs[name], value))
    ]
    problems += [
        problem(
            f"search_space.{name}",
            f"the trial has no input {name!r} for it to set (inputs: "
            f"{', '.join(sorted(declared)) or 'none'})",
            "name the search space entry after one of the trial component's inputs",
        )
        for name in sorted(set(spec.space) - declared)
    ]
    base = getattr(trial, "base_path", None) or Path(file).parent
    unnamed = _metric_never_named(getattr(trial, "code", None), base, spec.primary_metric)
    if unnamed:
        problems.append(
            problem(
                "objective.primary_metric",
                f"{spec.primary_metric!r} appears nowhere in the trial's code ({unnamed}), so "
                "no trial would log it",
                "log it with mlflow.log_metric or name the metric the code logs",
            )
        )
    return problems


def _extremes(expression: Expression) -> tuple[Any, ...]:
    """The values of an expression to check against its input: every choice, the bounds of a
    uniform or randint (unbounded and log-scale expressions are left to the trial)."""
    if expression.type == "choice":
        return expression.values
    if expression.type == "randint":
        return (0, expression.upper - 1)
    if expression.type in {"uniform", "quniform"}:
        return (expression.min_value, expression.max_value)
    return ()


def _metric_never_named(code: Any, base_path: Any, metric: str) -> str | None:
    """The trial's local code folder when none of its Python files names the metric (nor
    autologs); None when it does or the code is not local."""
    if not code or str(code).startswith(("azureml:", "http")):
        return None
    folder = Path(base_path) / str(code)
    if not folder.is_dir():
        return None
    for source in folder.rglob("*.py"):
        text = source.read_text(encoding="utf-8", errors="replace")
        if metric in text or _AUTOLOG in text:
            return None
    return str(folder)
