"""Azure ML's parallel job run locally: the process that runs one `type: parallel` node.

Below the engine, which calls `node_command`; the driver (`python -m mlops.parallel.driver`)
splits the input into mini-batches and feeds them to worker processes running the entry script.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from mlops.parallel.spec import build_spec

SPEC_FILE = "parallel_run_spec.json"


def node_command(
    component: Any, inputs: dict[str, object], outputs: dict[str, Path], workdir: Path
) -> list[str]:
    """The argv that runs a parallel node locally, with `workdir` as its working folder.

    Writes the node's run spec into `workdir` and returns the driver's command line: the driver
    runs instance_count x max_concurrency_per_instance workers, capped by the cores.

    Args:
        component: The node's parallel settings (mlops.plan.model.ParallelSpec).
        inputs: Resolved input values: paths as str, literals as Python values.
        outputs: Output paths.
        workdir: The node's working folder (its code snapshot).

    Returns:
        The argv, starting with sys.executable.

    Raises:
        MlopsError: A setting the local runner cannot honour.
    """
    spec = build_spec(component, inputs, outputs, Path(workdir), os.cpu_count() or 1)
    spec_path = Path(workdir) / SPEC_FILE
    spec.save(spec_path)
    return [sys.executable, "-m", "mlops.parallel.driver", "--spec", str(spec_path)]
