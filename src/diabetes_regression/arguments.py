"""Argument types shared by the component entry modules."""

from __future__ import annotations

import argparse


def boolean(text: str) -> bool:
    """Parse a boolean input as Azure ML renders it in a command (`True`/`False`).

    Raises:
        argparse.ArgumentTypeError: For anything but true or false, in any case.
    """
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
    return lowered == "true"
