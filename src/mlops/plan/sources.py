"""Literal values as their input's type: the one place `--set` strings are converted."""

from __future__ import annotations

from typing import Any

from mlops.plan.model import Literal


def typed_literal(kind: str | None, value: Any) -> Literal:
    """A literal converted to its input's type (`--set` gives strings: "false" is False)."""
    text = str(value).strip()
    if kind == "boolean" and text.lower() in {"true", "false"}:
        return Literal(text.lower() == "true")
    if isinstance(value, str):
        try:
            if kind == "integer":
                return Literal(int(text))
            if kind == "number":
                return Literal(float(text) if any(c in text for c in ".eE") else int(text))
        except ValueError:
            pass
    return Literal(value)
