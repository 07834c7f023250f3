"""A job's `--set` items (made by `mlops.overrides.for_file`), with the names they set checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.documents import read_document
from mlops.errors import Problem

# Fields of a pipeline job's `settings` azure-ai-ml knows (PipelineJobSettings).
_SETTINGS = (
    "continue_on_step_failure",
    "default_compute",
    "default_datastore",
    "force_rerun",
    "on_finalize",
    "on_init",
)


def unknown_override_problems(path: Path, overrides: list[dict[str, Any]]) -> list[Problem]:
    """`--set` items naming an input, output, node or setting the job does not have.

    azure-ai-ml adds such a key as a new, unused input (or node), so a typo such as
    `inputs.aplha=0.01` would run the job with the default; it is refused instead, with the
    names that exist. Tags, properties and top-level fields are azure-ai-ml's to check.

    Args:
        path: The job YAML.
        overrides: The `--set` items, as `params_override` returns them.

    Returns:
        One problem per unknown name.

    Raises:
        ProblemsFound: The job YAML cannot be read (it is reported as such).
    """
    data = read_document(path).data
    if not isinstance(data, dict):
        return []
    problems = []
    for override in overrides:
        for key in override:
            problem = _unknown(path, data, key)
            if problem is not None:
                problems.append(problem)
    return problems


def _unknown(path: Path, data: dict[str, Any], key: str) -> Problem | None:
    parts = key.split(".")
    if parts[0] in {"inputs", "outputs"} and len(parts) > 1:
        return _missing(path, key, parts[1], data.get(parts[0]), f"the job has no {parts[0][:-1]}")
    if parts[0] == "settings" and len(parts) > 1:
        return _missing(path, key, parts[1], dict.fromkeys(_SETTINGS), "there is no setting")
    if parts[0] == "jobs" and len(parts) > 1:
        jobs = data.get("jobs") or {}
        problem = _missing(path, key, parts[1], jobs, "the pipeline has no node")
        if problem is not None or len(parts) < 4 or parts[2] not in {"inputs", "outputs"}:
            return problem
        declared = _component_fields(path, jobs[parts[1]], parts[2])
        if declared is None:
            return None
        return _missing(
            path, key, parts[3], declared, f"node {parts[1]}'s component has no {parts[2][:-1]}"
        )
    return None


def _missing(path: Path, key: str, name: str, existing: Any, what: str) -> Problem | None:
    names = sorted(existing) if isinstance(existing, dict) else []
    if name in names:
        return None
    return Problem(
        str(path),
        None,
        f"--set {key}",
        f"{what} named {name!r}",
        f"use one of: {', '.join(names)}" if names else "remove it",
    )


def _component_fields(path: Path, node: Any, kind: str) -> dict[str, Any] | None:
    """A node's component's inputs or outputs, when the component is inline or a local file
    (None for a registered component: its fields are checked when it is resolved)."""
    component = node.get("component") if isinstance(node, dict) else None
    if isinstance(component, dict):
        return component.get(kind) or {}
    if not isinstance(component, str) or component.startswith("azureml:"):
        return None
    source = path.parent / component.removeprefix("file:")
    if not source.is_file():
        return None
    document = read_document(source).data
    return (document.get(kind) or {}) if isinstance(document, dict) else None
