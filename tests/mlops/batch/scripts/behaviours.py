"""A test entry script whose behaviour follows each input file's name.

bad*: always raises; flaky*: raises on its first attempt; slow*: hangs on its first attempt;
short*: returns no row; own*: also written, as is, into AZUREML_BI_OUTPUT_PATH (as Azure's
entry scripts write their own output files there). Others: one row per line ("<file> <line>").
Attempts and init() calls are recorded as files in --state, so tests can count them across
worker processes.
"""

import argparse
import os
import time
from pathlib import Path

state = Path()


def init():
    global state
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", type=Path, required=True)
    args, _ = parser.parse_known_args()
    state = args.state
    (state / f"init-{os.getpid()}").touch()


def run(mini_batch):
    rows = []
    for path in mini_batch:
        name = Path(path).name
        attempt = len(list(state.glob(f"attempt-{name}-*")))
        (state / f"attempt-{name}-{attempt}-{os.getpid()}").touch()
        if name.startswith("bad"):
            raise ValueError(f"cannot score {name}")
        if name.startswith("flaky") and attempt == 0:
            raise ValueError(f"first attempt at {name} fails")
        if name.startswith("slow") and attempt == 0:
            time.sleep(60)
        if name.startswith("short"):
            continue
        if name.startswith("own"):
            Path(os.environ["AZUREML_BI_OUTPUT_PATH"], name).write_text(Path(path).read_text())
        rows += [f"{name} {line}" for line in Path(path).read_text().split()]
    return rows
