"""A batch scoring script that needs a package the engine lacks (pyjokes): each row says where
pyjokes came from, which environment ran it and whether the engine's packages were in sight."""

import importlib.util
import os
import sys
from importlib import metadata
from pathlib import Path


def init():
    import pyjokes  # noqa: F401  (fails at init without the environment's build)


def run(mini_batch):
    import pyjokes

    model = Path(os.environ["AZUREML_MODEL_DIR"], "model", "weights.txt").read_text().strip()
    seen = ",".join(name for name in ("click", "mlops") if importlib.util.find_spec(name))
    return [
        f"{Path(item).name}|{metadata.version('pyjokes')}|{pyjokes.__file__}|{sys.prefix}"
        f"|{seen or '-'}|{model}"
        for item in mini_batch
    ]
