"""Errors a user can act on: the CLI prints them without a traceback and exits non-zero."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MlopsError(Exception):
    """A user mistake or an unmet precondition, with the message that says how to fix it.

    Args:
        message: What is wrong, naming the file, field or resource concerned.
        exit_code: The process exit code the CLI uses for it.
    """

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(MlopsError):
    """The command line itself is wrong (exit code 2, as click and az use)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)


class NotFoundError(MlopsError):
    """A named resource (job, asset, endpoint, ...) does not exist."""


@dataclass(frozen=True)
class Problem:
    """One finding about a file: where it is, which field, what is wrong and the fix.

    A `warning` is a lint: something Azure ML accepts and ignores (an input azure-ai-ml drops
    before submitting), reported without failing `mlops validate` or stopping a job.
    """

    file: str
    line: int | None
    field: str
    message: str
    fix: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        kind = "warning: " if self.warning else ""
        text = f"{where}: {self.field}: {kind}{self.message}"
        return f"{text} Fix: {self.fix}" if self.fix else text


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are not warnings: what makes a file invalid."""
    return [problem for problem in problems if not problem.warning]


class ProblemsFound(MlopsError):
    """One or more problems found in files; nothing was run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        lines = [str(problem) for problem in self.problems]
        if len(lines) == 1:
            # One problem, one line: what, where and the fix, then that nothing ran.
            super().__init__(f"{lines[0]} (nothing was run)")
            return
        lines.append(f"{counted(len(self.problems), 'problem')} found; nothing was run.")
        super().__init__("\n".join(lines))


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless it is one: "1 problem", "3 files"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
