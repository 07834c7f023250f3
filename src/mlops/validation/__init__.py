"""Offline validation of Azure ML YAML: azure-ai-ml's own loaders plus the checks it leaves to
the service. `mlops validate`, `mlops job create` and `mlops online-deployment create` use it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mlops.azure.loaders import azure_only, entity_errors, load_entity
from mlops.documents import read_document
from mlops.errors import MlopsError, Problem, ProblemsFound, errors_only
from mlops.plan.convert import component_ports, pipeline_inputs, plan_command_job, plan_pipeline
from mlops.plan.model import Plan
from mlops.validation.clean_cache import CleanFiles
from mlops.validation.components import component_problems
from mlops.validation.deployments import deployment_problems
from mlops.validation.files import validate_files, yaml_files
from mlops.validation.pipelines import PipelineChecker
from mlops.validation.registered import registered_component_and_file

logger = logging.getLogger(__name__)

__all__ = [
    "check_component",
    "check_deployment",
    "check_job",
    "load_entity",
    "plan_job",
    "plan_with_warnings",
    "validate_paths",
]

logger = logging.getLogger(__name__)


def check_job(
    path: Path, params_override: list[dict[str, Any]] | None = None
) -> tuple[Any | None, list[Problem]]:
    """Load a job and run every offline check on it.

    Args:
        path: The job YAML.
        params_override: `--set` overrides, as azure-ai-ml takes them.

    Returns:
        The PipelineJob (None when it does not load) and every problem found.
    """
    path = Path(path)
    try:
        job = load_entity(path, "job", params_override)
    except ProblemsFound as found:
        return None, found.problems
    if getattr(job, "type", None) == "sweep":  # no SweepJob._validate: its own checks
        from mlops.validation.sweeps import sweep_problems

        return job, sweep_problems(job, path)
    document = read_document(path)
    problems = _service_checks(job, path, document)
    if getattr(job, "type", None) == "pipeline":
        checker = PipelineChecker()
        checker.check(job, str(path), document, pipeline_inputs(job))
        problems += checker.problems
    return job, problems


def plan_job(path: Path, params_override: list[dict[str, Any]] | None = None) -> Plan:
    """Load and check a job, then build its typed plan: what the engine executes.

    Warnings (lints Azure ignores) are logged; see `plan_with_warnings`.

    Raises:
        ProblemsFound: Every problem found (checks and planning); no plan.
        MlopsError: The job is neither a pipeline nor a command job (no plan is made for it).
    """
    return plan_with_warnings(path, params_override)[0]


def plan_with_warnings(
    path: Path, params_override: list[dict[str, Any]] | None = None
) -> tuple[Plan, list[Problem]]:
    """`plan_job`, and the warnings found (each also logged), so a caller may decline to cache
    a plan whose warnings the next run should show again.

    Args:
        path: The job YAML.
        params_override: `--set` overrides, as azure-ai-ml takes them.

    Raises:
        ProblemsFound: Every problem found (checks and planning); no plan.
        MlopsError: The job is neither a pipeline nor a command job (no plan is made for it).
    """
    path = Path(path)
    job, problems = check_job(path, params_override)
    errors = errors_only(problems)
    if errors:
        raise ProblemsFound(errors)
    for warning in problems:
        logger.warning("%s", warning)
    refusal = azure_only(job)
    if refusal:
        raise MlopsError(f"{path}: {refusal}.")
    if job.type == "pipeline":
        return plan_pipeline(job, path, registered_component_and_file), problems
    if job.type == "command":
        return plan_command_job(job, path), problems
    raise MlopsError(f"{path}: type {job.type!r}: the local engine runs pipeline and command jobs.")


def check_component(path: Path) -> tuple[Any | None, list[Problem]]:
    """Load a component and check its command and keys."""
    path = Path(path)
    try:
        component = load_entity(path, "component")
    except ProblemsFound as found:
        return None, found.problems
    document = read_document(path)
    if component.type == "pipeline":
        checker = PipelineChecker()
        ports = component_ports(component).inputs
        parent = {name: (spec.type, None) for name, spec in ports.items()}
        checker.check(component, str(path), document, parent)
        return component, checker.problems
    return component, component_problems(component, str(path), document)


def check_deployment(
    path: Path, kind: str, params_override: list[dict[str, Any]] | None = None
) -> tuple[Any | None, list[Problem]]:
    """Load an online or batch deployment and check its code folder and scoring script."""
    path = Path(path)
    try:
        deployment = load_entity(path, kind, params_override)
    except ProblemsFound as found:
        return None, found.problems
    return deployment, deployment_problems(deployment, path, read_document(path))


def validate_paths(paths: list[Path]) -> list[Problem]:
    """Everything `mlops validate` reports for these files and folders (see validation.files).

    Files found clean before, and unchanged since with everything they name, are not checked
    again (see validation.clean_cache): a warm run over an unchanged repository does not
    import azure-ai-ml.

    Raises:
        UsageError: A path does not exist.
    """
    files = yaml_files(paths)
    clean = CleanFiles(files, [file for file in files if _is_workflow(file)])
    keys = {file: clean.key(file) for file in files}
    pending = [file for file in files if not clean.is_clean(keys[file])]
    if not pending:
        return []
    problems = validate_files(pending)
    named = {Path(problem.file).resolve() for problem in problems}
    for file in pending:
        if not named.intersection(clean.depends_on(file)):
            clean.remember_clean(keys[file])
    return problems


def _is_workflow(file: Path) -> bool:
    return file.resolve().parent.match("*/.github/workflows")


def _service_checks(job: Any, path: Path, document: Any) -> list[Problem]:
    """What azure-ai-ml's own `_validate()` finds (unbound required inputs, no compute)."""
    problems = []
    for field, message in entity_errors(job).items():
        if field.endswith(".command") or field == "command":
            continue
        problems.append(Problem(str(path), document.line(field), field, message))
    return problems
