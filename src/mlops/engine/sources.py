"""Where a node input's value comes from: a literal, local data, or another node's output."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops.assets import resolve_data, resolve_model
from mlops.errors import MlopsError
from mlops.jobstore import output_path

MODEL_TYPES = {"mlflow_model", "custom_model", "triton_model"}
_ASSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(:[A-Za-z0-9_.-]+|@[A-Za-z0-9_]+)$")
_JOB_OUTPUT = re.compile(r"^azureml://jobs/(?P<job>[^/]+)/outputs/(?P<output>[^/]+)/?$")
_CLOUD = re.compile(r"^(azureml|https?|wasbs?|abfss?|adl|gs|s3)://", re.I)


@dataclass(frozen=True)
class Literal:
    """A number, string or boolean."""

    value: Any


@dataclass(frozen=True)
class DataPath:
    """A local file or folder (given in the YAML, or an asset resolved to the local store)."""

    path: Path
    type: str
    mode: str | None = None
    asset: str | None = None


@dataclass(frozen=True)
class Upstream:
    """Output `output` of node `node` (its id in the flat plan)."""

    node: str
    output: str


Source = Literal | DataPath | Upstream | None


def typed_literal(kind: str | None, value: Any) -> Literal:
    """A literal converted to its input's type (`--set` gives strings: "false" is False)."""
    text = str(value).strip()
    if kind == "boolean" and text.lower() in {"true", "false"}:
        return Literal(text.lower() == "true")
    if isinstance(value, str):
        try:
            if kind == "integer":
                return Literal(int(text))
            if kind == "number":
                return Literal(float(text) if any(c in text for c in ".eE") else int(text))
        except ValueError:
            pass
    return Literal(value)


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
