"""Azure ML's `${{...}}` references and `$[[...]]` optional blocks, parsed and rendered.

Used by the validator (to check them) and the engine (to run them), so both read a command
or a binding the same way.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

_REFERENCE = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_PART = r"[A-Za-z_][A-Za-z0-9_\-]*"
_LOCAL = re.compile(rf"^(inputs|outputs)\.({_PART})$")
_PARENT_IO = re.compile(rf"^parent\.(inputs|outputs)\.({_PART})$")
_PARENT_JOB = re.compile(rf"^parent\.jobs\.({_PART})\.(inputs|outputs)\.({_PART})$")


class ExpressionError(ValueError):
    """A `${{...}}` or `$[[...]]` expression that Azure ML would reject."""


@dataclass(frozen=True)
class Reference:
    """One `${{...}}` reference.

    Attributes:
        kind: "inputs" or "outputs".
        name: The input or output name.
        scope: "local" (`inputs.x` in a component command), "parent" (`parent.inputs.x`,
            `parent.outputs.z`) or "job" (`parent.jobs.<job>.outputs.y`).
        job: The referenced job for scope "job", else None.
        text: The reference exactly as written, braces included.
    """

    kind: str
    name: str
    scope: str
    job: str | None
    text: str

    @property
    def key(self) -> str:
        """`inputs.x` / `outputs.y`: the key a command's values are looked up by."""
        return f"{self.kind}.{self.name}"


def parse_reference(text: str) -> Reference:
    """Parse one `${{...}}` reference (braces included).

    Raises:
        ExpressionError: The expression is not one Azure ML knows.
    """
    match = _REFERENCE.fullmatch(text.strip())
    if not match:
        raise ExpressionError(f"{text!r} is not a ${{{{...}}}} reference")
    body = match.group(1).strip()
    if local := _LOCAL.match(body):
        return Reference(local.group(1), local.group(2), "local", None, text.strip())
    if parent := _PARENT_IO.match(body):
        return Reference(parent.group(1), parent.group(2), "parent", None, text.strip())
    if job := _PARENT_JOB.match(body):
        return Reference(job.group(2), job.group(3), "job", job.group(1), text.strip())
    raise ExpressionError(
        f"unknown reference ${{{{{body}}}}}: use inputs.<name>, outputs.<name>, "
        "parent.inputs.<name>, parent.outputs.<name> or parent.jobs.<job>.outputs.<name>"
    )


def find_references(text: str) -> list[Reference]:
    """Every `${{...}}` reference in `text`, in order.

    Raises:
        ExpressionError: One of them is not a reference Azure ML knows.
    """
    return [parse_reference(match.group(0)) for match in _REFERENCE.finditer(text)]


def binding(value: object) -> Reference | None:
    """The reference when `value` is exactly one `${{...}}` (a binding), else None."""
    if isinstance(value, str) and _REFERENCE.fullmatch(value.strip()):
        return parse_reference(value)
    return None


def segments(command: str) -> Iterator[tuple[str, bool]]:
    """Split a command into (text, optional) pieces; optional pieces were inside `$[[...]]`.

    Raises:
        ExpressionError: A block is unclosed or nested.
    """
    position = 0
    while True:
        start = command.find("$[[", position)
        if start < 0:
            yield command[position:], False
            return
        yield command[position:start], False
        end = command.find("]]", start + 3)
        if end < 0:
            raise ExpressionError(f"'$[[' at character {start} is never closed with ']]'")
        block = command[start + 3 : end]
        if "$[[" in block:
            raise ExpressionError(f"'$[[' at character {start} holds another '$[[' (no nesting)")
        yield block, True
        position = end + 2


def format_value(value: object) -> str:
    """Render a literal as Azure ML puts it on a command line (booleans as True/False)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def render_command(command: str, values: Mapping[str, str | None]) -> str:
    """Substitute `${{inputs.x}}` / `${{outputs.y}}` and resolve `$[[...]]` blocks.

    Args:
        command: The component command.
        values: Rendered value per key (`inputs.x`, `outputs.y`); None for an optional input
            that has no value. Paths should already be shell-quoted where needed.

    Returns:
        The command with every reference replaced; an optional block disappears when any
        input inside it has no value.

    Raises:
        ExpressionError: A reference is unknown, or a valueless input is outside `$[[...]]`.
    """
    rendered = []
    for text, optional in segments(command):
        references = find_references(text)
        missing = [ref for ref in references if values.get(ref.key) is None]
        if optional and missing:
            continue
        for ref in missing:
            if ref.key not in values:
                raise ExpressionError(f"{ref.text} names no declared input or output")
            raise ExpressionError(
                f"{ref.text} has no value and is not inside $[[...]]: give it a value or "
                "wrap the flag in $[[ ]]"
            )
        rendered.append(_REFERENCE.sub(lambda m: values[parse_reference(m.group(0)).key], text))
    return "".join(rendered)


def quote_path(path: str) -> str:
    """Shell-quote a local path only when it needs it, so plain paths read as Azure's do."""
    return shlex.quote(path)
