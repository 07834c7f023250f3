"""A scoring script that needs a package the engine lacks (pyjokes): says where it runs."""

import json
import sys
from importlib import metadata


def init():
    import pyjokes  # noqa: F401  (fails at init in an environment without it)


def run(raw_data):
    return {
        "prefix": sys.prefix,
        "pyjokes": metadata.version("pyjokes"),
        "echo": json.loads(raw_data),
    }
