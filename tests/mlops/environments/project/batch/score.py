"""A batch entry script that needs a package the engine lacks (pyjokes)."""

from importlib import metadata
from pathlib import Path


def init():
    import pyjokes  # noqa: F401  (fails at init without the environment's build)


def run(mini_batch):
    return [f"{Path(item).name} pyjokes={metadata.version('pyjokes')}" for item in mini_batch]
