"""Environments, built: what a build costs and what running in one costs, side by side (issue 17).

1. The first build of the sample's training environment (environments/train-conda.yml) into an
   empty MLOPS_HOME, with uv's cache as it is (warm after `make setup`), vs finding it cached.
2. Per node: making the node's throwaway overlay and starting `python -c "import json"` in it,
   over the cached build and over the engine's interpreter, vs the engine's interpreter started
   directly (today's floor). Target: under 0.2 s more per node.

3. What `auto` adds to a job of the sample: the decision that the engine's interpreter
   satisfies its registered training environment (loading it included).

Usage: .venv/bin/python benchmarks/environments.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Light on purpose: the cost measured is the environment's, not the import's (which is the
# same code from the same files in both).
PROBE = "import json"


def _median_run(argv: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _node_cost(component: object, folder: Path, repeat: int) -> tuple[float, float]:
    """Median seconds to make the overlay, and to start the probe inside it."""
    from mlops.environments import node_variables

    made, ran = [], []
    for index in range(repeat):
        started = time.perf_counter()
        variables = node_variables(
            component, folder / f"overlay{index}", Path(sys.executable).parent, os.environ["PATH"]
        )
        made.append(time.perf_counter() - started)
        env = {**os.environ, **variables}
        started = time.perf_counter()
        subprocess.run(["python", "-c", PROBE], env=env, check=True)
        ran.append(time.perf_counter() - started)
    return statistics.median(made), statistics.median(ran)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="mlops-bench-env-"))
    os.environ["MLOPS_HOME"] = str(home)
    try:
        from types import SimpleNamespace

        import mlops.environments as environments
        from mlops.environments.choose import prepare
        from mlops.environments.spec import from_entity

        conda = yaml.safe_load((ROOT / "environments" / "train-conda.yml").read_text())
        entity = SimpleNamespace(name="bench_train", version="1", image=None, conda_file=conda)
        component = SimpleNamespace(environment=entity)
        spec = from_entity(entity)

        started = time.perf_counter()
        first = prepare(spec, "isolated", "node")
        first_build = time.perf_counter() - started
        started = time.perf_counter()
        cached = prepare(spec, "isolated", "node")
        cached_build = time.perf_counter() - started
        assert cached.key == first.key and cached.build_seconds == 0.0
        size_mb = (
            sum(p.lstat().st_size for p in first.bin_folder.parent.rglob("*") if p.is_file()) / 1e6
        )

        # 3. What `auto` adds to a job of the sample: deciding, for its registered training
        # environment, that the engine's interpreter satisfies it (no build).
        from mlops.assets.environments import create_environment

        create_environment(ROOT / "environments" / "train.yml")
        reference = SimpleNamespace(environment="azureml:diabetes_regression_train@latest")
        os.environ["MLOPS_ENV_MODE"] = "auto"
        started = time.perf_counter()
        [decided] = environments.prepare_all([reference] * 4)
        auto_decision = time.perf_counter() - started
        assert decided.ran_in == "engine", decided.reason

        floor = _median_run([sys.executable, "-c", PROBE], dict(os.environ), args.repeat)
        os.environ["MLOPS_ENV_MODE"] = "isolated"
        built_make, built_run = _node_cost(component, home / "nodes-built", args.repeat)
        os.environ["MLOPS_ENV_MODE"] = "shared"
        engine_make, engine_run = _node_cost(component, home / "nodes-engine", args.repeat)
        environments._prepared.clear()

        print(
            f"Sample training environment ({len(spec.requirements)} requirements): {first.reason}"
        )
        print(f"  first build           {first_build:7.2f} s   ({size_mb:.0f} MB)")
        print(
            f"  cached build          {cached_build:7.3f} s   "
            f"ratio {cached_build / first_build:.4f}"
        )
        print(
            f"auto on the sample's train pipeline: {auto_decision:.3f} s per job "
            f"({decided.ran_in}: {decided.reason}); no build"
        )
        print(f"Per node, median of {args.repeat} (`python -c '{PROBE}'`)")
        print(f"  engine, direct        {floor:7.3f} s   (today's floor)")
        print(
            f"  engine, in overlay    {engine_make + engine_run:7.3f} s   "
            f"overlay {engine_make * 1000:.1f} ms, "
            f"overhead {engine_make + engine_run - floor:+.3f} s"
        )
        print(
            f"  cached build, overlay {built_make + built_run:7.3f} s   "
            f"overlay {built_make * 1000:.1f} ms, "
            f"overhead {built_make + built_run - floor:+.3f} s"
            "   (target < +0.2 s)"
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
