"""Run a planned job: nodes in dependency order, independent ones in parallel (bounded), one
process group per node; reuse, failure, cancel and Ctrl-C handled as Azure ML does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mlops import jobstore as store
from mlops.assets.snapshots import make_read_only, tree_hash
from mlops.engine import reuse
from mlops.engine.node import (
    NodeState,
    SnapshotCache,
    argv,
    changed_inputs,
    code_folder,
    environment,
    fresh_outputs,
    input_values,
    prepare_environment,
    reuse_key,
    working_folder,
)
from mlops.engine.plan import Plan
from mlops.engine.progress import Progress
from mlops.engine.runs import JobRuns
from mlops.engine.sweeps.node import SweepNode
from mlops.identity import identify

FINISHED_OK = {"Completed", "Reused"}
FINAL = FINISHED_OK | {"Failed", "Canceled", "NotStarted"}
_POLL_SECONDS = 0.05
_KILL_GRACE_SECONDS = 5.0


@dataclass
class Settings:
    """The pipeline settings the engine honours."""

    continue_on_step_failure: bool = False
    force_rerun: bool = False


class Execution:
    """Runs one job's nodes to the end and keeps its record on disk up to date."""

    def __init__(
        self,
        name: str,
        plan: Plan,
        settings: Settings,
        runs: JobRuns,
        max_parallel: int,
        progress: Progress,
        save: Any,
    ) -> None:
        self.name = name
        self.plan = plan
        self.settings = settings
        self.runs = runs
        self.max_parallel = max(1, max_parallel)
        self.progress = progress
        self.save = save
        self.states = {node_id: NodeState(node) for node_id, node in plan.nodes.items()}
        self.cache = SnapshotCache()
        self._processes: dict[str, tuple[subprocess.Popen[bytes], IO[bytes]]] = {}
        # Running sweep nodes, each driven from this loop (its trials are its own processes).
        self._sweeps: dict[str, SweepNode] = {}
        self._stop_starting = False
        # Looked at every 50 ms: resolved once (resolving the state folder each time cost
        # ~0.8 s of CPU over a 90 s job, on cores the nodes share).
        self._cancel_file = store.job_folder(name) / store.CANCEL_FILE
        self._log_paths = {node_id: store.log_path(name, node_id) for node_id in plan.nodes}

    def run(self) -> str:
        """Run every node; returns the job status (Completed, Failed or Canceled)."""
        try:
            while self._pending() or self._processes or self._sweeps:
                if self._cancel_file.exists():
                    return self._cancel()
                self._start_ready()
                self._poll()
                self.progress.tick(self.states, self._logs())
                if self._processes or self._sweeps:
                    time.sleep(_POLL_SECONDS)
        except KeyboardInterrupt:
            self._cancel()
            raise
        self.progress.tick(self.states, self._logs())
        failed = any(state.status == "Failed" for state in self.states.values())
        return "Failed" if failed else "Completed"

    def _pending(self) -> list[str]:
        return [
            node
            for node, state in self.states.items()
            if state.status == "NotStarted" and not state.message
        ]

    def _logs(self) -> dict[str, Path]:
        """The logs of the running nodes and sweep trials (what `--stream` follows)."""
        logs = {node: self._log_paths[node] for node in self._processes}
        for sweep in self._sweeps.values():
            logs.update(sweep.logs())
        return logs

    def _start_ready(self) -> None:
        # The nodes ready now are submitted together, as Azure submits them: one that fails at
        # its start (its environment's build failed) does not hold back its independent peers.
        stop_starting = self._stop_starting
        for node_id in self._pending():
            upstream = [self.states[dep] for dep in self.states[node_id].node.upstream]
            if any(dep.status in {"Failed", "Canceled"} or dep.message for dep in upstream):
                self._skip(node_id, "an upstream node did not complete")
                continue
            if stop_starting:
                self._skip(node_id, "an earlier node failed (continue_on_step_failure is false)")
                continue
            if len(self._processes) + len(self._sweeps) >= self.max_parallel:
                return
            if all(dep.status in FINISHED_OK for dep in upstream):
                self._start(node_id)

    def _skip(self, node_id: str, reason: str) -> None:
        self.states[node_id].message = f"not started: {reason}"
        self.save()

    def _start(self, node_id: str) -> None:
        state = self.states[node_id]
        node = state.node
        state.start_time = time.time()
        log = store.log_path(self.name, node_id)
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            values = input_values(state, self.states, self.cache)
            state.read_only_inputs = {
                name: (value.value, value.key[1])
                for name, value in values.items()
                if value.key and value.key[0] == "data"
            }
            folder = code_folder(node)
            snapshot_folder, code_hash = self.cache.code(folder) if folder else (None, None)
            state.reuse_key = reuse_key(node, values, code_hash) if node.is_deterministic else None
            earlier = (
                None
                if self.settings.force_rerun or not state.reuse_key
                else reuse.lookup(state.reuse_key)
            )
            if earlier:
                self._reuse(state, earlier)
                return
            if node.sweep is not None:
                self._start_sweep(state)
                return
            prepare_environment(node)
            state.outputs = fresh_outputs(self.name, node)
            workdir = state.workdir = working_folder(self.name, node, snapshot_folder)
            process_argv = state.argv = argv(node, values, state.outputs, workdir)
        except Exception as error:  # a node that cannot start fails; the job goes on as Azure's
            log.write_text(f"The node could not start: {error}\n", encoding="utf-8")
            self._finish(state, "Failed", None)
            return
        state.run_id = self.runs.child(node_id)
        variables = environment(node, self._run_variables(node_id, state.run_id))
        handle = log.open("ab")
        process = subprocess.Popen(
            process_argv,
            cwd=workdir,
            env=variables,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processes[node_id] = (process, handle)
        started = identify(process.pid)
        state.process = started.to_json() if started else None
        state.status = "Running"
        self.progress.changed(node_id, "Running", None)
        self.save()

    def _start_sweep(self, state: NodeState) -> None:
        """Start a sweep node: its run, then its trials from the next poll on."""
        state.run_id = self.runs.child(state.node.id)
        self._sweeps[state.node.id] = SweepNode(
            self.name, state, self.states, self.runs, self.max_parallel, self.save, self.progress
        )
        state.status = "Running"
        self.progress.changed(state.node.id, "Running", None)
        self.save()

    def _run_variables(self, node_id: str, run_id: str) -> dict[str, str]:
        variables = self.runs.environment(run_id)
        variables.update(
            {
                "AZUREML_RUN_ID": f"{self.name}_{node_id.replace('/', '_')}",
                "AZUREML_ROOT_RUN_ID": self.name,
                "AZUREML_PARENT_RUN_ID": self.name,
                "AZUREML_EXPERIMENT_NAME": self.runs.experiment_name,
                "AZUREML_CR_NODE_NAME": node_id,
            }
        )
        return variables

    def _reuse(self, state: NodeState, earlier: dict[str, Any]) -> None:
        state.outputs = {name: Path(path) for name, path in earlier["outputs"].items()}
        state.output_hashes = dict(earlier.get("output_hashes", {}))
        state.reused_from = f"{earlier['job']}/{earlier['node']}"
        state.run_id = self.runs.child(state.node.id, {"azureml.reusedFrom": state.reused_from})
        if earlier.get("run_id"):
            self.runs.copy_metrics(earlier["run_id"], state.run_id)
        self._finish(state, "Reused", None)

    def _poll(self) -> None:
        for node_id, (process, handle) in list(self._processes.items()):
            code = process.poll()
            if code is None:
                continue
            handle.close()
            del self._processes[node_id]
            state = self.states[node_id]
            state.exit_code = code
            changed = changed_inputs(state) if code == 0 else []
            if changed:
                with store.log_path(self.name, node_id).open("a", encoding="utf-8") as log:
                    log.write(
                        f"ERROR: the node wrote into its read-only input(s) {', '.join(changed)} "
                        "(mode ro_mount): write to an output instead.\n"
                    )
            self._finish(state, "Completed" if code == 0 and not changed else "Failed", code)
        for node_id, sweep in list(self._sweeps.items()):
            try:
                status = sweep.step()
            except Exception as error:  # the sweep's own fault fails its node, not the job run
                sweep.cancel()
                self.states[node_id].message = f"the sweep stopped: {error}"
                status = "Failed"
            if status is not None:
                del self._sweeps[node_id]
                self._finish(self.states[node_id], status, None)

    def _finish(self, state: NodeState, status: str, code: int | None) -> None:
        state.end_time = time.time()
        if status == "Completed":
            for name, path in state.outputs.items():
                if path.exists():
                    state.output_hashes[name] = tree_hash(path)
                    make_read_only(path)
            if state.reuse_key:
                reuse.remember(
                    state.reuse_key,
                    {
                        "job": self.name,
                        "node": state.node.id,
                        "outputs": {k: str(v) for k, v in state.outputs.items()},
                        "output_hashes": state.output_hashes,
                        "run_id": state.run_id,
                    },
                )
        if status == "Failed" and not self.settings.continue_on_step_failure:
            self._stop_starting = True
        state.status = status
        if state.run_id:
            self.runs.finish(state.run_id, status)
        self.progress.changed(
            state.node.id, status, state.end_time - (state.start_time or state.end_time)
        )
        self.save()

    def _cancel(self) -> str:
        for process, _handle in self._processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.time() + _KILL_GRACE_SECONDS
        for process, _handle in self._processes.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.time()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for node_id, (_process, handle) in list(self._processes.items()):
            handle.close()
            self._mark_canceled(node_id)
        self._processes.clear()
        for node_id, sweep in self._sweeps.items():
            sweep.cancel()
            self._mark_canceled(node_id)
        self._sweeps.clear()
        for node_id in self._pending():
            self.states[node_id].message = "not started: the job was canceled"
        self.save()
        return "Canceled"

    def _mark_canceled(self, node_id: str) -> None:
        state = self.states[node_id]
        state.end_time = time.time()
        state.status = "Canceled"
        if state.run_id:
            self.runs.finish(state.run_id, "Canceled")


def _signal_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal_number)
