"""One worker of a local parallel run: imports the entry script, calls `init()` once, then
`run(mini_batch)` for each mini-batch the driver sends, as an Azure ML parallel job's worker does.

Started by the driver as `<python> mlops_parallel_worker.py <spec.json> <fd>`, where <python> is
the interpreter of the node's environment (its build, in the node's overlay) and <fd> the
worker's end of a `multiprocessing` pipe. It imports only the standard library: the build holds
the user's packages, not mlops (the reason it runs from its own folder, as the online server's
worker class does).

Messages to the driver: ("ready",), ("init_failed", traceback), ("done", index, lines, items),
("error", index, traceback). `lines` are the append_row lines of the mini-batch's result.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
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
    while True:
        task = connection.recv()
        if task is None:
            break
        index, items = task
        try:
            lines = result_lines(script.run(items))
        except Exception:
            connection.send(("error", index, traceback.format_exc()))
            continue
        connection.send(("done", index, lines, len(items)))
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
