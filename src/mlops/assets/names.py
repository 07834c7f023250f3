"""Azure ML's naming rules for each asset kind, checked before anything is stored."""

from __future__ import annotations

import re

from mlops.errors import MlopsError

# The model registry's own URL rule (azure-ai-ml's model dataplane client); the service
# applies the same rule to data assets and environments.
_ASSET_NAME = re.compile(r"^(?![\-_.])[a-zA-Z0-9\-_.]{1,255}(?<!\.)$")
_ASSET_RULE = (
    "Azure ML asset names start with a letter or digit, use only letters, digits, '-', '_' "
    "and '.', do not end with '.', and are at most 255 characters long"
)
_COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,254}$")
_COMPONENT_RULE = (
    "Component name should only contain lower letter, number, underscore and start with a "
    "lower letter (at most 255 characters)"
)
_VERSION = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-_.]{0,29}$")
_VERSION_RULE = (
    "versions start with a letter or digit, use only letters, digits, '-', '_' and '.', "
    "and are at most 30 characters long"
)

KINDS = ("data", "model", "environment", "component")


def check_name(kind: str, name: str | None, source: str = "--name") -> str:
    """Return `name` when it follows Azure's rule for `kind`.

    Args:
        kind: One of "data", "model", "environment", "component".
        name: The proposed name.
        source: Where the name came from (a file or a flag), for the message.

    Returns:
        The name, unchanged.

    Raises:
        MlopsError: The name is missing or breaks the rule; the message quotes the rule.
    """
    if not name:
        raise MlopsError(f"{source}: name: a {kind} needs a name. Fix: set `name:` or pass --name.")
    pattern, rule = (
        (_COMPONENT_NAME, _COMPONENT_RULE) if kind == "component" else (_ASSET_NAME, _ASSET_RULE)
    )
    if not pattern.match(name):
        raise MlopsError(f"{source}: name: {name!r} is not a valid {kind} name: {rule}.")
    return name


def check_version(version: str | None, source: str = "--version") -> str | None:
    """Return `version` as a string when it is a valid Azure ML asset version (None stays None).

    Raises:
        MlopsError: The version breaks the rule.
    """
    if version is None:
        return None
    text = str(version)
    if not _VERSION.match(text) or text == "latest":
        raise MlopsError(
            f"{source}: version: {text!r} is not a valid version: {_VERSION_RULE} "
            "('latest' is a label, not a version)."
        )
    return text


def next_version(existing: list[str]) -> str:
    """The version az ml gives when none is set: one more than the highest integer version."""
    numbers = [int(version) for version in existing if version.isdigit()]
    return str(max(numbers, default=0) + 1)
