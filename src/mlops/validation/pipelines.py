"""Checks of a pipeline's graph that azure-ai-ml leaves to the service.

Bindings to jobs, outputs or parent inputs that do not exist, literals that do not fit their
input, unknown keys on nodes, and outputs that cannot feed the inputs they are bound to.
Unknown input and output names on a node are warnings: azure-ai-ml's validation accepts them
and drops them before submitting (checked in tests/mlops/validation), so Azure runs the node
without them. Nested pipeline components are checked in their own files.

The bindings are checked on the plan's own data (`mlops.plan.wiring`, made by
`plan.convert.node_wiring`), the same the planner resolves them from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops.documents import YamlDocument, read_document
from mlops.errors import MlopsError, Problem, ProblemsFound
from mlops.expressions import ExpressionError, Reference, binding
from mlops.plan.convert import node_component, node_wiring
from mlops.plan.model import InputSpec
from mlops.plan.wiring import GivenData, Ports, Wiring
from mlops.validation.components import component_problems
from mlops.validation.literals import literal_problem, type_fit_problem
from mlops.validation.registered import registered_component, store_knows
from mlops.validation.sweeps import sweep_node_problems

_NODE_KWARGS_ALLOWED = {"services"}
# Components whose inputs azure-ai-ml does not fully describe: a prompt flow takes its flow's own
# inputs (`text: ${data.text}`) besides the ones listed, and its `data` takes a file or a folder.
_OPEN_INPUT_TYPES = {"promptflow_parallel"}


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
        nodes = pipeline.jobs or {}
        # Every node's component first (a binding may name a node further down), each node's
        # problems then reported in node order, as written.
        components, found = {}, {}
        for name, node in nodes.items():
            reported, self.problems = self.problems, []
            components[name] = self._component(NodeWhere(file, document, f"jobs.{name}"), node)
            found[name], self.problems = self.problems, reported
        wirings = {
            name: node_wiring(node, components[name])
            for name, node in nodes.items()
            if components[name] is not None
        }
        for name, node in nodes.items():
            where = NodeWhere(file, document, f"jobs.{name}")
            for key in set(getattr(node, "kwargs", None) or {}) - _NODE_KWARGS_ALLOWED:
                self._add(where, key, "unknown key on a node", "remove it or fix its spelling")
            self.problems += found[name]
            if components[name] is None:
                continue
            raw = raw_jobs.get(name) or {}
            self._check_node(
                name, node, components[name], (set(nodes), wirings), raw, where, parent, outputs
            )

    def _component(self, where: NodeWhere, node: Any) -> Any | None:
        """A node's component entity (a registered one looked up); None when there is none to
        check (AutoML, or a registered name the local store does not have)."""
        component = node_component(node)
        if isinstance(component, str):
            return self._registered_component(where, component)
        return component

    def _check_node(self, name, node, component, level, raw, where, parent, parent_outputs):
        """Check one node; `level` is every node name of its pipeline and their wirings."""
        self._check_component_file(component)
        wiring: Wiring = level[1][name]
        inline = "component" not in raw and "trial" not in raw
        declared = wiring.ports.inputs
        component_type = getattr(component, "type", None)
        for key in raw.get("inputs") or {}:
            if key in declared or inline or component_type in _OPEN_INPUT_TYPES:
                continue
            names = ", ".join(sorted(declared)) or "none"
            self._add(
                where,
                f"inputs.{key}",
                f"unknown input {key!r}: the component declares {names}; "
                "Azure ML drops it and runs the node without it",
                "remove it or use one of the declared names",
                warning=True,
            )
        for key, data in wiring.inputs.items():
            if data is None or key not in declared or component_type in _OPEN_INPUT_TYPES:
                continue
            self._check_input(where, f"inputs.{key}", declared[key], data, name, level, parent)
        for key, value in (raw.get("outputs") or {}).items():
            if key not in wiring.ports.outputs:
                names = ", ".join(sorted(wiring.ports.outputs)) or "none"
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
        if wiring.ports.type == "pipeline" and component._source_path:
            nested = Path(component._source_path)
            parent_of_nested = {key: (value.type, None) for key, value in declared.items()}
            self.check(component, str(nested), read_document(nested), parent_of_nested)

    def _check_input(self, where, field, declaration, data, name, level, parent) -> None:
        reference = self._reference(where, field, data)
        if reference is None:
            if not isinstance(data, str) or "${{" not in data:
                literal = data.path if isinstance(data, GivenData) else data
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
            self._check_job_binding(where, field, declaration, reference, name, level)
        else:
            self._add(
                where,
                field,
                f"{reference.text} cannot be used as a node input",
                "bind to ${{parent.inputs.<name>}} or ${{parent.jobs.<job>.outputs.<name>}}",
            )

    def _check_job_binding(self, where, field, declaration, reference, name, level) -> None:
        jobs, wirings = level
        if reference.job not in jobs or reference.job == name:
            self._add(
                where,
                field,
                f"{reference.text} binds to a job that does not exist in this pipeline "
                f"(other jobs: {', '.join(sorted(set(jobs) - {name})) or 'none'})",
                "fix the job name",
            )
            return
        if reference.job not in wirings:
            return  # its component is not known here (AutoML, or registered only on Azure)
        ports: Ports = wirings[reference.job].ports
        if reference.kind == "outputs":
            types = dict(ports.outputs)
        else:
            types = {key: spec.type for key, spec in ports.inputs.items()}
        if reference.name not in types:
            self._add(
                where,
                field,
                f"{reference.text}: job {reference.job} has no {reference.kind[:-1]} "
                f"{reference.name!r} (it has: {', '.join(sorted(types)) or 'none'})",
                f"fix the {reference.kind[:-1]} name",
            )
            return
        problem = type_fit_problem(types[reference.name], declaration.type)
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
        if reference.startswith("azureml://registries/"):
            self._add(
                where,
                "component",
                f"{reference}: a registry component is not checked offline (its inputs and "
                "outputs are Azure's to check), and `mlops job create` cannot run it",
                "register it locally (mlops component create) and refer to it as "
                "azureml:<name>:<version> to check and run it here",
                warning=True,
            )
            self._registered[reference] = None
            return None
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
        *,
        warning: bool = False,
    ) -> None:
        path = f"{where.prefix}.{field}"
        line = where.document.line(path)
        self.problems.append(Problem(where.file, line, path, message, fix, warning=warning))


class NodeWhere:
    """The file, document and field prefix of one node, for problem locations."""

    def __init__(self, file: str, document: YamlDocument, prefix: str) -> None:
        self.file, self.document, self.prefix = file, document, prefix


def _literal_fix(declaration: InputSpec) -> str:
    article = "an" if declaration.type[0] in "aeiou" else "a"
    parts = [f"give {article} {declaration.type}"]
    if declaration.enum:
        parts = [f"use one of {', '.join(map(str, declaration.enum))}"]
    bounds = [
        f"{label} {value}"
        for label, value in (("min", declaration.min), ("max", declaration.max))
        if value is not None
    ]
    if bounds:
        parts.append(f"within {' and '.join(bounds)}")
    return " ".join(parts)
