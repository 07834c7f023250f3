"""Where a node input's value comes from: a literal, local data, or another node's output."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from mlops.assets import resolve_data, resolve_model
from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.jobstore import output_path
from mlops.plan.model import DataPath, DataRef, Literal, Plan, Source, Upstream
from mlops.plan.sources import typed_literal

MODEL_TYPES = {"mlflow_model", "custom_model", "triton_model"}
_ASSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(:[A-Za-z0-9_.-]+|@[A-Za-z0-9_]+)$")
_JOB_OUTPUT = re.compile(r"^azureml://jobs/(?P<job>[^/]+)/outputs/(?P<output>[^/]+)/?$")
_CLOUD = re.compile(r"^(azureml|https?|wasbs?|abfss?|adl|gs|s3)://", re.I)


def data_source(path: str, kind: str, mode: str | None, base: Path) -> DataPath:
    """Resolve a data or model input's path as Azure ML would, offline.

    `azureml:name:version` / `name@latest` (azure-ai-ml drops the `azureml:` prefix) resolve
    in the local asset store; `azureml://jobs/<job>/outputs/<name>` to a local job's output;
    anything else is a path relative to the YAML file.

    Raises:
        MlopsError: The path does not exist, the asset is unknown, or it is a cloud location
            that cannot be read offline.
    """
    text = path.removeprefix("file://").removeprefix("file:")
    if job_output := _JOB_OUTPUT.match(text):
        return DataPath(output_path(job_output["job"], job_output["output"]), kind, mode)
    if _CLOUD.match(text):
        raise MlopsError(
            f"{path} is a cloud location the local engine cannot read offline. Fix: use a local "
            "path, or register the data with `mlops data create` and use azureml:<name>@latest."
        )
    local = (base / text).resolve()
    if local.exists():
        return DataPath(local, kind, mode)
    reference = text.removeprefix("azureml:")
    if _ASSET.match(reference):
        resolve = resolve_model if kind in MODEL_TYPES else resolve_data
        asset = resolve(f"azureml:{reference}")
        return DataPath(Path(asset.path), kind, mode, f"azureml:{asset.name}:{asset.version}")
    raise MlopsError(f"{path} does not exist (looked in {local}). Fix: give an existing path.")


def resolve_inputs(plan: Plan, file: Path) -> Plan:
    """The plan with every data input resolved (local paths, assets, job outputs), at run time.

    Registered versions move (`@latest`) and local data comes and goes, so a cached plan keeps
    them as written and they are resolved here, each time the job runs.

    Raises:
        ProblemsFound: An input cannot be resolved; each problem names its field.
    """
    problems: list[Problem] = []
    resolved: dict[DataRef, Source] = {}

    def resolve(source: Source) -> Source:
        if not isinstance(source, DataRef):
            return source
        if source not in resolved:
            try:
                resolved[source] = data_source(
                    source.path, source.type, source.mode, Path(source.base)
                )
            except MlopsError as error:
                problems.append(Problem(str(file), None, source.field, str(error)))
                resolved[source] = None
        return resolved[source]

    inputs = {name: resolve(source) for name, source in plan.inputs.items()}
    nodes = {
        node_id: replace(node, inputs={name: resolve(s) for name, s in node.inputs.items()})
        for node_id, node in plan.nodes.items()
    }
    if problems:
        raise ProblemsFound(problems)
    return replace(plan, nodes=nodes, inputs=inputs)


__all__ = [
    "DataPath",
    "DataRef",
    "Literal",
    "Source",
    "Upstream",
    "data_source",
    "resolve_inputs",
    "typed_literal",
]
