"""The project name a user picks, its rules, and the names derived from it."""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys

from mlops.errors import UsageError

SAMPLE = "diabetes_regression"
_NAME = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
# Endpoint names are 3-32 characters; the longest derived one adds "-batch" (6 characters).
MAX_LENGTH = 26
MIN_LENGTH = 3
_RESERVED = {"mlops", "tests", "src", "docs", "data", "scripts", "components", "pipelines"}


def forms(name: str) -> dict[str, str]:
    """Each spelling of the sample's name -> the same spelling of `name`.

    `diabetes-regression` (endpoints, the distribution) and `diabetes_regression` (everything
    else: package, components, model, environments, experiment).
    """
    return {"diabetes-regression": name.replace("_", "-"), SAMPLE: name}


def check_name(name: str) -> None:
    """Refuse a name that would not work everywhere it goes, saying the rule.

    Raises:
        UsageError: The name breaks a rule.
    """
    rule = (
        f"a project name is {MIN_LENGTH}-{MAX_LENGTH} characters of lowercase letters, digits "
        "and underscores, starting with a letter and ending with a letter or digit (it becomes "
        "a Python package, Azure component and model names, and endpoint names with '-' for '_')"
    )
    if not (MIN_LENGTH <= len(name) <= MAX_LENGTH) or not _NAME.match(name) or "__" in name:
        raise UsageError(f"{name!r} is not a valid project name: {rule}.")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise UsageError(f"{name!r} is a Python keyword: pick another project name.")
    if name in sys.stdlib_module_names or name in _RESERVED:
        raise UsageError(
            f"{name!r} is the name of a standard module or of a folder here: pick another."
        )
    if SAMPLE in name:
        raise UsageError(f"{name!r} contains the sample's name {SAMPLE!r}: pick another.")


def check_not_installed(name: str) -> None:
    """Refuse a name an installed module already has (checked before renaming, not after).

    Raises:
        UsageError: A module of that name is importable.
    """
    if importlib.util.find_spec(name) is not None:
        raise UsageError(
            f"{name!r} is already an installed module (imports would be ambiguous): pick another."
        )
