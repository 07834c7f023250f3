"""Checks of online and batch deployments that azure-ai-ml leaves to the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.documents import YamlDocument, display_path
from mlops.errors import Problem


def deployment_problems(deployment: Any, file: Path, document: YamlDocument) -> list[Problem]:
    """The deployment's code folder and scoring script must exist, and one without them must
    deploy an MLflow model (Azure fails at deploy time)."""
    configuration = getattr(deployment, "code_configuration", None)
    base = Path(getattr(deployment, "base_path", None) or file.parent)
    if configuration is None:
        return _no_code_problems(deployment, base, file, document)
    problems = []
    code = getattr(configuration, "code", None)
    code_folder = (base / str(code)).resolve() if code else base
    if code and not code_folder.is_dir():
        problems.append(
            Problem(
                str(file),
                document.line("code_configuration.code"),
                "code_configuration.code",
                f"code folder {code} does not exist (looked in {display_path(code_folder)})",
                "give a folder relative to this file",
            )
        )
        return problems
    script = getattr(configuration, "scoring_script", None)
    if script and not (code_folder / script).is_file():
        problems.append(
            Problem(
                str(file),
                document.line("code_configuration.scoring_script"),
                "code_configuration.scoring_script",
                f"scoring script {script} does not exist in {display_path(code_folder)}",
                "give the script's path relative to the code folder",
            )
        )
    return problems


def _no_code_problems(
    deployment: Any, base: Path, file: Path, document: YamlDocument
) -> list[Problem]:
    """With no code_configuration Azure generates the scoring script for an MLflow model (and
    serves a Triton model as it is): a local model path must be a folder MLflow saved, unless it
    is a Triton model (registered models are checked at deploy)."""
    model = getattr(deployment, "model", None)
    path = getattr(model, "path", None)
    if model is None or isinstance(model, str) or not path:
        return []
    if getattr(model, "type", None) == "triton_model":
        return []  # Azure serves a Triton model with no scoring script too (not locally)
    folder = (base / str(path)).resolve()
    if not folder.exists() or (folder / "MLmodel").is_file():
        return []
    return [
        Problem(
            str(file),
            document.line("model"),
            "model",
            f"no code_configuration, so the scoring script is generated, which needs an MLflow "
            f"model; {display_path(folder)} has no MLmodel file",
            "add code_configuration (code and scoring_script), or point model.path at a "
            "folder MLflow saved",
        )
    ]
