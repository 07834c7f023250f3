"""Checks of a pipeline's graph that azure-ai-ml leaves to the service.

Bindings to jobs, outputs or parent inputs that do not exist, literals that do not fit their
input, unknown keys on nodes, and outputs that cannot feed the inputs they are bound to.
Unknown input and output names on a node are warnings: azure-ai-ml's validation accepts them
and drops them before submitting (checked in tests/mlops/validation), so Azure runs the node
without them. Nested pipeline components are checked in their own files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.documents import YamlDocument, read_document
from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.expressions import ExpressionError, Reference, binding
from mlops.validation.components import component_problems
from mlops.validation.literals import literal_problem, type_fit_problem
from mlops.validation.registered import registered_component, store_knows
from mlops.validation.sweeps import sweep_node_problems

_NODE_KWARGS_ALLOWED = {"services"}


class PipelineChecker:
    """Collects the problems of one pipeline job (and the component files it uses)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._checked_files: set[str] = set()
        self._registered: dict[str, Any] = {}

    def check(self, pipeline: Any, file: str, document: YamlDocument, parent: dict) -> None:
        """Check `pipeline`'s nodes.

        Args:
            pipeline: A PipelineJob or PipelineComponent entity.
            file: Its file.
            document: Its parsed YAML.
            parent: Input name -> (type, literal value or None) of the pipeline itself.
        """
        raw_jobs = (document.data or {}).get("jobs") or {}
        outputs = set((document.data or {}).get("outputs") or {})
        for name, node in (pipeline.jobs or {}).items():
            raw = raw_jobs.get(name) or {}
            where = NodeWhere(file, document, f"jobs.{name}")
            self._check_node(name, node, raw, where, pipeline.jobs, parent, outputs)

    def _check_node(self, name, node, raw, where, jobs, parent, parent_outputs) -> None:
        for key in set(getattr(node, "kwargs", None) or {}) - _NODE_KWARGS_ALLOWED:
            self._add(where, key, "unknown key on a node", "remove it or fix its spelling")
        component = node_component(node)
        if component is None:
            return  # an AutoML node: azure-ai-ml checked it; it has no component to bind
        if isinstance(component, str):
            component = self._registered_component(where, component)
            if component is None:
                return
        self._check_component_file(component)
        inline = "component" not in raw and "trial" not in raw
        declared = component.inputs or {}
        for key in raw.get("inputs") or {}:
            if key not in declared and not inline:
                names = ", ".join(sorted(declared)) or "none"
                self._add(
                    where,
                    f"inputs.{key}",
                    f"unknown input {key!r}: the component declares {names}; "
                    "Azure ML drops it and runs the node without it",
                    "remove it or use one of the declared names",
                    warning=True,
                )
        for key, value in (node.inputs or {}).items():
            data = getattr(value, "_data", value)
            if data is None or key not in declared:
                continue
            self._check_input(where, f"inputs.{key}", declared[key], data, name, jobs, parent)
        for key, value in (raw.get("outputs") or {}).items():
            if key not in (component.outputs or {}):
                names = ", ".join(sorted(component.outputs or {})) or "none"
                self._add(
                    where,
                    f"outputs.{key}",
                    f"unknown output {key!r}: declared: {names}; Azure ML drops it",
                    "remove it or use one of the declared names",
                    warning=True,
                )
                continue
            reference = self._reference(where, f"outputs.{key}", value)
            if reference and (reference.scope, reference.kind) != ("parent", "outputs"):
                self._add(
                    where,
                    f"outputs.{key}",
                    f"{reference.text}: a node output can only bind to parent.outputs.<name>",
                )
            elif reference and reference.name not in parent_outputs:
                self._add(
                    where,
                    f"outputs.{key}",
                    f"{reference.text} binds to a pipeline output that is not declared",
                    f"declare {reference.name} under the pipeline's outputs:",
                )
        if getattr(node, "type", None) == "sweep":
            self.problems += sweep_node_problems(
                node, component, where.file, where.document, where.prefix
            )
        if getattr(component, "type", None) == "pipeline" and component._source_path:
            nested = Path(component._source_path)

            parent_of_nested = {
                key: (getattr(value, "type", None), None) for key, value in declared.items()
            }
            self.check(component, str(nested), read_document(nested), parent_of_nested)

    def _check_input(self, where, field, declaration, data, name, jobs, parent) -> None:
        reference = self._reference(where, field, data)
        if reference is None:
            if not isinstance(data, str) or "${{" not in data:
                literal = getattr(data, "path", data)
                problem = literal_problem(declaration, literal)
                if problem:
                    self._add(where, field, problem, _literal_fix(declaration))
            return
        if reference.scope == "parent" and reference.kind == "inputs":
            if reference.name not in parent:
                names = ", ".join(sorted(parent)) or "none"
                self._add(
                    where,
                    field,
                    f"{reference.text} binds to a pipeline input that does not exist "
                    f"(pipeline inputs: {names})",
                    f"declare {reference.name} under the pipeline's inputs: or fix the name",
                )
                return
            source_type, literal = parent[reference.name]
            problem = (
                literal_problem(declaration, literal)
                if literal is not None
                else type_fit_problem(source_type, declaration.type)
            )
            if problem:
                self._add(where, field, f"{reference.text}: {problem}", _literal_fix(declaration))
        elif reference.scope == "job":
            self._check_job_binding(where, field, declaration, reference, name, jobs)
        else:
            self._add(
                where,
                field,
                f"{reference.text} cannot be used as a node input",
                "bind to ${{parent.inputs.<name>}} or ${{parent.jobs.<job>.outputs.<name>}}",
            )

    def _check_job_binding(self, where, field, declaration, reference, name, jobs) -> None:
        if reference.job not in jobs or reference.job == name:
            self._add(
                where,
                field,
                f"{reference.text} binds to a job that does not exist in this pipeline "
                f"(other jobs: {', '.join(sorted(set(jobs) - {name})) or 'none'})",
                "fix the job name",
            )
            return
        source = node_component(jobs[reference.job])
        if isinstance(source, str):
            source = self._registered.get(source)
            if source is None:
                return
        ports = (source.outputs if reference.kind == "outputs" else source.inputs) or {}
        if reference.name not in ports:
            self._add(
                where,
                field,
                f"{reference.text}: job {reference.job} has no {reference.kind[:-1]} "
                f"{reference.name!r} (it has: {', '.join(sorted(ports)) or 'none'})",
                f"fix the {reference.kind[:-1]} name",
            )
            return
        problem = type_fit_problem(getattr(ports[reference.name], "type", None), declaration.type)
        if problem:
            self._add(where, field, f"{reference.text}: {problem}", "bind an output of that type")

    def _reference(self, where, field, value) -> Reference | None:
        try:
            return binding(value)
        except ExpressionError as error:
            self._add(where, field, str(error))
            return None

    def _registered_component(self, where: NodeWhere, reference: str) -> Any | None:
        """A registered component from the local store; None when the store does not have it.

        A name the local store has never seen may well exist in the Azure workspace, so it is
        not a problem here; a version the store lacks of a name it has is.
        """
        if reference in self._registered:
            return self._registered[reference]

        component = None
        try:
            if store_knows(reference):
                component = registered_component(reference)
        except ProblemsFound as found:
            self.problems += found.problems
        except MlopsError as error:
            self._add(where, "component", str(error), "register that version or fix the reference")
        self._registered[reference] = component
        return component

    def _check_component_file(self, component: Any) -> None:
        source = getattr(component, "_source_path", None)
        if not source or source in self._checked_files or component.type == "pipeline":
            return
        self._checked_files.add(source)

        self.problems += component_problems(component, source, read_document(Path(source)))

    def _add(
        self,
        where: NodeWhere,
        field: str,
        message: str,
        fix: str | None = None,
        warning: bool = False,
    ) -> None:
        path = f"{where.prefix}.{field}"
        line = where.document.line(path)
        self.problems.append(Problem(where.file, line, path, message, fix, warning))


def node_component(node: Any) -> Any:
    """What a node runs: its component, or a sweep node's trial (whose outputs are the node's
    outputs: the best trial's); None for a node without one (AutoML)."""
    if getattr(node, "type", None) == "sweep":
        return getattr(node, "trial", None)
    return getattr(node, "component", None)


class NodeWhere:
    """The file, document and field prefix of one node, for problem locations."""

    def __init__(self, file: str, document: YamlDocument, prefix: str) -> None:
        self.file, self.document, self.prefix = file, document, prefix


def _literal_fix(declaration: Any) -> str:
    article = "an" if declaration.type[0] in "aeiou" else "a"
    parts = [f"give {article} {declaration.type}"]
    if getattr(declaration, "enum", None):
        parts = [f"use one of {', '.join(map(str, declaration.enum))}"]
    bounds = [
        f"{label} {value}"
        for label in ("min", "max")
        if (value := getattr(declaration, label, None)) is not None
    ]
    if bounds:
        parts.append(f"within {' and '.join(bounds)}")
    return " ".join(parts)


def parent_inputs_of(job: Any) -> dict[str, tuple[str | None, Any]]:
    """Input name -> (type, literal) of a pipeline job, with `--set` overrides applied."""
    result = {}
    for name, value in (job.inputs or {}).items():
        data = getattr(value, "_data", value)
        data_type = getattr(data, "type", None)
        if data_type is not None:
            result[name] = (data_type, None)
        elif data is not None and not isinstance(data, dict):
            result[name] = (None, data)
        else:
            result[name] = (None, None)
    return result
