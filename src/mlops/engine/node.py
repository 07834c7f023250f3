"""Everything about running one node: its inputs' values, code snapshot, reuse key, command,
environment variables and working folder."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops import jobstore as store
from mlops import tracking
from mlops.assets.snapshots import data_copy, remove_tree, snapshot, tree_hash
from mlops.engine.artifacts import ARTIFACT_FOLDERS, make_artifact_folders
from mlops.engine.plan import PlannedNode
from mlops.engine.sources import DataPath, Literal, Upstream
from mlops.environments import node_variables, prepared_for
from mlops.environments.spec import of_node
from mlops.expressions import format_value, quote_path, render_command
from mlops.home import mlops_home
from mlops.parallel import node_command


@dataclass
class NodeState:
    """A node's progress through one job."""

    node: PlannedNode
    status: str = "NotStarted"
    start_time: float | None = None
    end_time: float | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    output_hashes: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None
    reused_from: str | None = None
    exit_code: int | None = None
    reuse_key: str | None = None
    message: str | None = None
    read_only_inputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)
    workdir: Path | None = None
    # The node's process while it runs (PID, start time, command line: `mlops.identity`), so
    # that `job cancel` can stop it after the engine died, and only it.
    process: dict[str, Any] | None = None
    # A sweep node's trials as its record shows them, and the best one's id.
    trials: list[dict[str, Any]] | None = None
    best_trial: str | None = None


@dataclass
class InputValue:
    """An input as the node sees it: a command-line text, a path or None, and a content key."""

    text: str | None
    value: Any
    key: Any


class SnapshotCache:
    """Code snapshots taken once per code folder and job."""

    def __init__(self) -> None:
        self._taken: dict[Path, tuple[Path, str]] = {}
        self._data: dict[Path, tuple[Path, str]] = {}

    def code(self, folder: Path) -> tuple[Path, str]:
        """The snapshot of a code folder and its hash."""
        if folder not in self._taken:
            self._taken[folder] = snapshot(folder)
        return self._taken[folder]

    def data(self, path: Path) -> tuple[Path, str]:
        """A read-only, content-addressed copy of local input data and its hash."""
        if path not in self._data:
            self._data[path] = data_copy(path)
        return self._data[path]


def input_values(
    state: NodeState, states: dict[str, NodeState], cache: SnapshotCache
) -> dict[str, InputValue]:
    """Each input's value for the command, once the node's upstream nodes have finished."""
    values = {}
    for name, source in state.node.inputs.items():
        if source is None:
            values[name] = InputValue(None, None, None)
        elif isinstance(source, Literal):
            text = format_value(source.value)
            values[name] = InputValue(text, source.value, ["literal", text])
        elif isinstance(source, Upstream):
            upstream = states[source.node]
            path = upstream.outputs[source.output]
            digest = upstream.output_hashes.get(source.output) or tree_hash(path)
            values[name] = InputValue(quote_path(str(path)), str(path), ["data", digest])
        else:
            values[name] = _data_value(source, cache)
    return values


def _data_value(source: DataPath, cache: SnapshotCache) -> InputValue:
    if source.asset:
        path, digest = source.path, tree_hash(source.path)
    else:
        path, digest = cache.data(source.path)
    return InputValue(quote_path(str(path)), str(path), ["data", digest])


def changed_inputs(state: NodeState) -> list[str]:
    """The read-only inputs whose content a finished node changed (root ignores file modes)."""
    return [
        name
        for name, (path, digest) in state.read_only_inputs.items()
        if not Path(path).exists() or tree_hash(Path(path)) != digest
    ]


def code_folder(node: PlannedNode) -> Path | None:
    """The node's code folder (resolved relative to its YAML when the plan was made)."""
    return Path(node.code) if node.code else None


def reuse_key(node: PlannedNode, values: dict[str, InputValue], code_hash: str | None) -> str:
    """What makes a deterministic node's outputs reusable: code, environment, command, inputs."""
    material = {
        "type": node.type,
        "command": node.command or node.task_text,
        "environment": str(node.environment),
        "code": code_hash,
        "inputs": {name: value.key for name, value in sorted(values.items())},
        "outputs": node.outputs,
        "environment_variables": node.environment_variables,
        "component_environment_variables": node.component_environment_variables,
    }
    if node.sweep is not None:
        # A sweep node is reused only for the same trial and the same sweep settings.
        material["sweep"] = node.sweep
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def fresh_outputs(job: str, node: PlannedNode) -> dict[str, Path]:
    """New, empty output locations: a folder each, or a file path for `uri_file`."""
    root = store.node_folder(job, node.id) / "outputs"
    remove_tree(root)
    outputs = {}
    for name, kind in node.outputs.items():
        if kind == "uri_file":
            (root / name).mkdir(parents=True)
            outputs[name] = root / name / name
        else:
            (root / name).mkdir(parents=True)
            outputs[name] = root / name
    return outputs


def working_folder(job: str, node: PlannedNode, snapshot_folder: Path | None) -> Path:
    """A writable folder whose entries link to the read-only code snapshot (the cwd), with the
    `./outputs` and `./logs` folders of Azure's compute (the node's artifacts)."""
    folder = store.node_folder(job, node.id) / "wd"
    remove_tree(folder)
    folder.mkdir(parents=True)
    if snapshot_folder is not None:
        for entry in snapshot_folder.iterdir():
            if entry.name not in ARTIFACT_FOLDERS:
                (folder / entry.name).symlink_to(entry)
    make_artifact_folders(job, node.id, folder, snapshot_folder)
    return folder


def command_line(node: PlannedNode, values: dict[str, InputValue], outputs: dict[str, Path]) -> str:
    """The node's command with every reference rendered, as Azure ML renders it."""
    rendered = {f"inputs.{name}": value.text for name, value in values.items()}
    rendered.update({f"outputs.{name}": quote_path(str(path)) for name, path in outputs.items()})
    return render_command(node.command or "", rendered)


def argv(
    node: PlannedNode, values: dict[str, InputValue], outputs: dict[str, Path], workdir: Path
) -> list[str]:
    """The process to start for the node: bash running its command, or the parallel driver."""
    if node.type == "parallel":
        return node_command(
            node.parallel, {k: v.value for k, v in values.items()}, outputs, workdir
        )
    return ["bash", "-c", command_line(node, values, outputs)]


def prepare_environment(node: PlannedNode) -> None:
    """Have the node's environment ready (its build, when it runs in one) before it starts.

    Raises:
        MlopsError: Its build failed (one line: package, reason, log): the node fails without
            starting, as Azure fails a node whose image it cannot prepare.
    """
    prepared_for(of_node(node))


def environment(node: PlannedNode, run_ids: dict[str, str]) -> dict[str, str]:
    """The environment variables a node's process sees (as an Azure ML job's script does)."""
    variables = dict(os.environ)
    variables.update(tracking.mlflow_environment())
    variables.update(run_ids)
    # The node's environment (a build, or the engine's interpreter) in a throwaway overlay.
    overlay = store.node_folder(run_ids.get("AZUREML_ROOT_RUN_ID", "local"), node.id) / "venv"
    variables.update(
        node_variables(of_node(node), overlay, interpreter_folder(), variables.get("PATH", ""))
    )
    variables.update(
        {str(k): str(v) for k, v in (node.component_environment_variables or {}).items()}
    )
    variables.update(node.environment_variables)
    return variables


def interpreter_folder() -> Path:
    """A folder where `python` is the engine's own interpreter.

    The interpreter's own folder when it has a `python` there (a virtual environment must be
    started from its own folder to find its packages), else a folder of links.
    """
    own = Path(sys.executable).parent
    if (own / "python").exists():
        return own
    folder = mlops_home() / "bin" / hashlib.sha256(sys.executable.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        with contextlib.suppress(FileExistsError):
            (folder / name).symlink_to(sys.executable)
    return folder
