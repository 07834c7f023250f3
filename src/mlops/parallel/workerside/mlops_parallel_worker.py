"""One worker of a local parallel run: imports the entry script, calls `init()` once, then
`run(mini_batch)` for each mini-batch the driver sends, as an Azure ML parallel job's worker does.

Started by the driver as `<python> mlops_parallel_worker.py <spec.json> <fd>`, where <python> is
the interpreter of the node's environment (its build, in the node's overlay) and <fd> the
worker's end of a `multiprocessing` pipe. It imports only the standard library: the build holds
the user's packages, not mlops (the reason it runs from its own folder, as the online server's
worker class does).

Messages to the driver: ("ready",), ("init_failed", traceback), ("done", index, lines, items),
("error", index, traceback). `lines` are the append_row lines of the mini-batch's result.

A mini-batch is a list of file paths, or for a tabular mltable input the positions of its rows:
the worker reads the table once (with `mlops_mltable.py`, beside this file) and gives `run()` a
pandas DataFrame, and `run(mini_batch, mini_batch_context)` a context whose
`partition_key_value` names the partition (empty without partition_keys) and whose
`minibatch_index` is the mini-batch's number, as Azure's parallel runtime does.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any


def result_lines(result: Any) -> list[str]:
    """The append_row lines of one `run()` result, in Azure ML's format.

    A DataFrame gives one line per row, its values joined by a space (no header, no index);
    a list (or tuple) gives one line per element.

    Raises:
        TypeError: The result is neither.
    """
    if hasattr(result, "itertuples"):
        return [" ".join(str(value) for value in row) for row in result.itertuples(index=False)]
    if isinstance(result, (list, tuple)):  # not `list | tuple`: the build may run an older Python
        return [str(item) for item in result]
    raise TypeError(
        f"run() returned {type(result).__name__}: return a list (one item per input) or a "
        "pandas DataFrame (one row per input)"
    )


def load_entry_script(spec: dict[str, Any]) -> ModuleType:
    """Import the entry script as Azure does: code folder on sys.path, its arguments in argv."""
    for folder in reversed(spec["search_path"]):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    entry_script = spec["entry_script"]
    sys.argv = [entry_script, *spec["script_arguments"]]
    module_spec = importlib.util.spec_from_file_location(Path(entry_script).stem, entry_script)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot import {entry_script}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module
    module_spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise AttributeError(f"{entry_script} has no run(mini_batch) function")
    return module


def import_beside(name: str) -> ModuleType:
    """A module from this file's folder, which is not on sys.path (see main)."""
    module_spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / f"{name}.py")
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot import {name}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def takes_context(run: Callable[..., Any]) -> bool:
    """Whether run() takes a second argument, the mini-batch context."""
    try:
        parameters = inspect.signature(run).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


class Scorer:
    """Turns a mini-batch as the driver sends it into run()'s arguments, and calls run()."""

    def __init__(self, script: ModuleType, table: dict | None) -> None:
        self.run = script.run
        self.with_context = takes_context(script.run)
        self.table = table if table and table["transformations"] else None
        self.frame: Any = None

    def score(self, index: int, payload: Any) -> tuple[list[str], int]:
        """run() on one mini-batch: its append_row lines and the number of items it held."""
        partition: dict = {}
        if self.table is not None:
            if self.frame is None:
                self.frame = import_beside("mlops_mltable").read_table(self.table)
            partition = payload.get("partition_key_value") or {}
            payload = self.frame.iloc[payload["rows"]].reset_index(drop=True)
        if self.with_context:
            context = SimpleNamespace(partition_key_value=partition, minibatch_index=index)
            result = self.run(payload, context)
        else:
            result = self.run(payload)
        return result_lines(result), len(payload)


def serve(spec_path: str, connection: Connection) -> None:
    """The worker process: init once, then score mini-batches until the driver sends None."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    logging.basicConfig(level=spec["logging_level"], format="%(levelname)s %(name)s: %(message)s")
    os.chdir(spec["workdir"])
    os.environ.update(spec["environment"])
    try:
        script = load_entry_script(spec)
        if callable(getattr(script, "init", None)):
            script.init()
    except BaseException:
        connection.send(("init_failed", traceback.format_exc()))
        return
    connection.send(("ready",))
    scorer = Scorer(script, spec.get("table"))
    while True:
        task = connection.recv()
        if task is None:
            break
        index, payload = task
        try:
            lines, items = scorer.score(index, payload)
        except Exception:
            connection.send(("error", index, traceback.format_exc()))
            continue
        connection.send(("done", index, lines, items))
    shutdown = getattr(script, "shutdown", None)
    if callable(shutdown):
        shutdown()


def main(argv: list[str]) -> None:
    """Serve the driver over the pipe whose descriptor argv[1] names."""
    spec_path, descriptor = argv
    # Started by path, Python put this file's folder first on sys.path: the entry script must
    # not import from it.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    connection = Connection(int(descriptor))
    try:
        serve(spec_path, connection)
    finally:
        connection.close()


if __name__ == "__main__":
    main(sys.argv[1:])
