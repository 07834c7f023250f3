"""`mlops validate`: find the YAML files, check each as what it is, collect every problem.

A file is checked as the kind its `$schema` (or `type:`) names, with azure-ai-ml's loader for it
(src/mlops/azure); conda, MLTable and prompt flow files are skipped; files under
`.github/workflows/` are checked as GitHub workflows.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mlops import validation
from mlops.azure.kinds import is_conda_file, is_not_azure_ml, kind_from_schema
from mlops.azure.loaders import load_entity
from mlops.documents import display_path, read_document
from mlops.errors import Problem, ProblemsFound, UsageError
from mlops.validation.workflows import WorkflowLinters

logger = logging.getLogger(__name__)

DEFAULT_FOLDERS = (
    "components",
    "pipelines",
    "environments",
    "endpoints",
    "data",
    ".github/workflows",
)


def default_paths(root: Path) -> list[Path]:
    """The folders `mlops validate` checks when given no path."""
    return [root / folder for folder in DEFAULT_FOLDERS if (root / folder).is_dir()]


def yaml_files(paths: list[Path]) -> list[Path]:
    """The YAML files in `paths` (folders searched recursively), in a stable order.

    Raises:
        UsageError: A path does not exist.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"})
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise UsageError(f"{path} is not a regular file or a folder: give YAML files")
        else:
            raise UsageError(f"{path} does not exist: give existing files or folders")
    return list(dict.fromkeys(display_path(file) for file in files))


def validate_files(paths: list[Path]) -> list[Problem]:
    """Every problem in the YAML files under `paths`."""
    files = yaml_files(paths)
    workflows = [file for file in files if _is_workflow(file)]
    pending = None
    if workflows:
        pending = WorkflowLinters(workflows)
    checked: dict[Path, list[Problem]] = {}

    def check_once(file: Path) -> list[Problem]:
        # Workflows pass files to `az ml` that the folders already hold: check each once.
        key = file.resolve()
        if key not in checked:
            checked[key] = check_file(file)
        return checked[key]

    problems = []
    for file in files:
        if file not in workflows:
            problems += check_once(file)
    if pending:
        problems += pending.problems(check_once)
    return list(dict.fromkeys(problems))


def check_file(file: Path) -> list[Problem]:
    """Every problem in one Azure ML YAML file; a check that fails unexpectedly is one problem
    of this file, so one bad file never stops the others from being checked."""
    try:
        return _check_file(file)
    except Exception as error:
        logger.debug("checking %s failed", file, exc_info=True)
        message = f"mlops could not check this file ({type(error).__name__}: {error})"
        return [
            Problem(str(file), None, "file", message, "report it with `mlops --debug validate`")
        ]


def _check_file(file: Path) -> list[Problem]:
    try:
        document = read_document(file)
    except ProblemsFound as found:
        return found.problems
    if is_conda_file(document.data) or is_not_azure_ml(document.data):
        return []
    kind = kind_from_schema(document.data)
    if kind == "job":
        return validation.check_job(file)[1]
    if kind == "component":
        return validation.check_component(file)[1]
    if kind in {"online_deployment", "batch_deployment"}:
        return validation.check_deployment(file, kind)[1]
    try:
        entity = load_entity(file, kind)
    except ProblemsFound as found:
        return found.problems
    if kind == "environment" and not (entity.image or entity.build):
        return [
            Problem(
                str(file),
                document.line("conda_file") or 1,
                "image",
                "an environment needs an image or a build context (Azure rejects it on create)",
                "add image: <a base image>, e.g. mcr.microsoft.com/azureml/"
                "openmpi4.1.0-ubuntu22.04, or build: {path: <docker context>}",
            )
        ]
    return []


def _is_workflow(file: Path) -> bool:
    return file.resolve().parent.match("*/.github/workflows")
