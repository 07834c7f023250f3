"""Checks of a component that azure-ai-ml leaves to the service: its command and unknown keys."""

from __future__ import annotations

from typing import Any

from mlops.documents import YamlDocument
from mlops.errors import Problem
from mlops.expressions import ExpressionError, find_references, segments


def component_problems(component: Any, file: str, document: YamlDocument) -> list[Problem]:
    """Every problem in a command or parallel component's own file.

    Args:
        component: The azure-ai-ml component entity.
        file: The component's file, for messages.
        document: Its parsed YAML, for line numbers.
    """
    problems = [
        Problem(file, document.line(key), key, "unknown key", "remove it or fix its spelling")
        for key in (getattr(component, "_other_parameter", None) or {})
    ]
    command, field = _command(component)
    if command:
        problems += command_problems(component, command, file, document.line(field), field)
    return problems


def _command(component: Any) -> tuple[str | None, str]:
    if getattr(component, "type", None) == "parallel":
        task = getattr(component, "task", None)
        return getattr(task, "program_arguments", None), "task.program_arguments"
    return getattr(component, "command", None), "command"


def command_problems(
    component: Any, command: str, file: str, line: int | None, field: str
) -> list[Problem]:
    """References to undeclared inputs or outputs, and `$[[ ]]` misuse, in a command."""
    inputs = component.inputs or {}
    outputs = component.outputs or {}
    problems = []

    def report(message: str, fix: str) -> None:
        problems.append(Problem(file, line, field, message, fix))

    try:
        pieces = list(segments(command))
    except ExpressionError as error:
        report(str(error), "close each $[[ with ]]; blocks cannot nest")
        return problems
    for text, optional in pieces:
        try:
            references = find_references(text)
        except ExpressionError as error:
            report(str(error), "use ${{inputs.<name>}} or ${{outputs.<name>}}")
            continue
        for reference in references:
            declared = inputs if reference.kind == "inputs" else outputs
            if reference.scope != "local":
                report(
                    f"{reference.text}: a component command can only use its own inputs and "
                    "outputs",
                    "use ${{inputs.<name>}} or ${{outputs.<name>}}",
                )
            elif reference.name not in declared:
                names = ", ".join(sorted(declared)) or "none"
                report(
                    f"{reference.text} names no declared {reference.kind[:-1]} (declared: {names})",
                    f"declare it under {reference.kind}: or fix the name",
                )
            elif reference.kind == "inputs":
                is_optional = bool(getattr(declared[reference.name], "optional", False))
                if optional and not is_optional:
                    report(
                        f"{reference.text} is required but inside $[[ ]]",
                        "move it out of $[[ ]], or declare the input optional: true",
                    )
                if is_optional and not optional:
                    report(
                        f"{reference.text} is optional but outside $[[ ]]: the command breaks "
                        "when it has no value",
                        f"wrap its flag in $[[ ]], e.g. $[[--{reference.name} {reference.text}]]",
                    )
    return problems
