"""az ml's traffic strings: `"blue=90 green=10"` <-> `{"blue": 90, "green": 10}`."""

from __future__ import annotations

from mlops.errors import UsageError


def parse_traffic(text: str, flag: str) -> dict[str, int]:
    """Parse `name=percent` pairs separated by spaces or commas.

    Raises:
        UsageError: A pair is malformed or a percent is not 0-100.
    """
    weights: dict[str, int] = {}
    for pair in text.replace(",", " ").split():
        name, separator, value = pair.partition("=")
        if not separator or not name or not value.isdigit() or not 0 <= int(value) <= 100:
            raise UsageError(
                f'{flag} {text!r}: write deployment=percent pairs, e.g. {flag} "blue=90 green=10"'
            )
        weights[name] = int(value)
    return weights
