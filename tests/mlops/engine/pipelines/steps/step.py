"""A tiny pipeline step for the engine tests: records what it saw, optionally misbehaves."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--label", required=True)
parser.add_argument("--sleep", type=float, default=0)
parser.add_argument("--fail", default="False")
parser.add_argument("--vandal", default="False")
parser.add_argument("--metric", default="False")
parser.add_argument("--upstream", action="append", default=[])
parser.add_argument("--out", required=True)
args = parser.parse_args()

start = time.time()
variables = ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "AZUREML_RUN_ID", "AZUREML_ROOT_RUN_ID")
seen_environment = {name: os.environ.get(name) for name in variables}
(Path(args.out).parent / "pid").write_text(str(os.getpid()))
time.sleep(args.sleep)
if args.fail == "True":
    print(f"step {args.label} fails on purpose", flush=True)
    sys.exit(3)
if args.vandal == "True":
    (Path(args.upstream[0]) / "vandalism.txt").write_text("oops")
if args.metric == "True":
    import mlflow

    with mlflow.start_run():
        mlflow.log_metric("answer", 42)
seen = [json.loads((Path(folder) / "result.json").read_text())["label"] for folder in args.upstream]
result = {
    "label": args.label,
    "upstream": seen,
    "start": start,
    "end": time.time(),
    "environment": seen_environment,
    "python": os.path.realpath(sys.executable),
    "cwd": os.getcwd(),
}
(Path(args.out) / "result.json").write_text(json.dumps(result))
print(f"step {args.label} done", flush=True)
