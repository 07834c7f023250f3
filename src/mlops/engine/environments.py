"""A planned node's environment in the shape `mlops.environments` reads: an object whose
`environment` is a reference (`azureml:name@latest`, resolved in the local store when the job
runs, as its version can move) or an inline environment with its conda file."""

from __future__ import annotations

from types import SimpleNamespace

from mlops.plan.model import Node


def environment_holder(node: Node) -> SimpleNamespace:
    """What `mlops.environments` prepares for `node` (its environment, reference or inline)."""
    if node.environment_reference is not None or node.environment is None:
        return SimpleNamespace(environment=node.environment_reference)
    inline = SimpleNamespace(
        name=None, version=None, image=None, build=None, conda_file=node.environment_conda
    )
    return SimpleNamespace(environment=inline)
