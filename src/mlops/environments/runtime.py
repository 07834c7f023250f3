"""What the engine's runtime needs inside an environment, besides the user's packages.

A command node needs nothing: the engine passes it only environment variables (MLflow's
tracking URI and run id among them; code that logs with MLflow lists mlflow, as on Azure). A
deployment's server is the Azure ML inference server, and its scoring script usually loads
an MLflow model: both are added at the engine's own versions when the environment does not
name them.
"""

from __future__ import annotations

import re
from importlib import metadata

from packaging.utils import canonicalize_name

# gunicorn at the engine's version: the engine passes it flags older ones lack.
_DEPLOYMENT = ("azureml-inference-server-http", "gunicorn", "mlflow")


def _names(requirements: tuple[str, ...]) -> set[str]:
    return {
        canonicalize_name(re.split(r"[ <>=!~;\[@]", item, maxsplit=1)[0]) for item in requirements
    }


def runtime_requirements(kind: str, requirements: tuple[str, ...]) -> tuple[str, ...]:
    """The packages to add for a `kind` ("node" or "deployment") environment.

    Args:
        kind: What runs in it.
        requirements: What the environment lists already.
    """
    if kind != "deployment":
        return ()
    listed = _names(requirements)
    added = []
    for name in _DEPLOYMENT:
        if canonicalize_name(name) in listed:
            continue
        try:
            added.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            added.append(name)
    return tuple(added)
