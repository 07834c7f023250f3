"""Local online endpoint throughput and latency, measured side by side with wrk in one run.

For 1-row and 1000-row requests, at concurrency 1 and 8:
  (a) through the endpoint's scoring URI (gateway: HTTP/1.1 parsing and bounds, key check,
      pending limit, routing, Azure's status codes; the server behind it on a Unix socket),
  (b) directly against an inference server started the same way (same code, model, settings
      and workers) on a loopback TCP port, since a deployment's own server has none,
  (c) a naive scoring script (json.loads, a numpy array, predict) on such a server.
Both deployments get max_concurrent_requests_per_instance=4, so the endpoint's pending limit
(2 x 4 x 1 = 8) admits the 8 connections, as it would on Azure.
Targets (issue 14): (a)/(b) throughput at concurrency 8 >= 0.95 on 1-row and >= 0.85 on 1000-row
requests; (a)-(b) p50 <= 0.5 ms at concurrency 1; (b)/(c) throughput >= 1.5 on 1000-row requests.
The three targets take turns, round after round, and each figure is the median over the rounds
(with the lowest and highest ratio of the rounds beside it), so that a slow spell of a shared
machine falls on all three alike. Every server is started the same way (server.start: the same
worker class, workers and settings), so the direct server keeps or closes connections as the
deployment's does. Beside the throughput, the CPU each request cost the gateway and the servers
(microseconds, from the processes' own CPU time): on a busy machine throughput moves with the
other load, but these hardly do, and on a saturated machine the ratio of throughputs is about
server / (server + gateway).

Needs wrk (`apt-get install -y wrk`).
Usage: .venv/bin/python benchmarks/endpoint.py [--seconds N] [--rounds N]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
_READY_SECONDS = 900
NAIVE_SCORE = """\
import json, os, pathlib
import mlflow.sklearn, numpy

def init():
    global model
    found = next(pathlib.Path(os.environ["AZUREML_MODEL_DIR"]).rglob("MLmodel"))
    model = mlflow.sklearn.load_model(str(found.parent))

def run(raw_data):
    return {"result": model.predict(numpy.array(json.loads(raw_data)["data"])).tolist()}
"""
LUA = """\
wrk.method = "POST"
wrk.body = io.open("{body}"):read("*a")
wrk.headers["Content-Type"] = "application/json"
{auth}
"""


def wrk(
    url: str, body: Path, key: str | None, connections: int, seconds: int, scratch: Path
) -> dict:
    """req/s, p50 and p99 (ms) of POSTing `body` to `url`."""
    script = scratch / f"post_{connections}_{body.stem}_{bool(key)}.lua"
    auth = f'wrk.headers["Authorization"] = "Bearer {key}"' if key else ""
    script.write_text(LUA.format(body=body, auth=auth))
    done = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk saw errors from {url}:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, the ones alive now."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return total
    for process in family:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def measured(
    url: str,
    body: Path,
    key: str | None,
    connections: int,
    seconds: int,
    scratch: Path,
    pids: dict[str, int],
) -> dict:
    """`wrk`'s figures, and the CPU microseconds per request of each process in `pids`."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    result = wrk(url, body, key, connections, seconds, scratch)
    requests = max(1.0, result["rps"] * seconds)
    for name, pid in pids.items():
        result[f"cpu_{name}"] = (cpu_seconds(pid) - before[name]) / requests * 1e6
    return result


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=3, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=5, help="Turns each target takes.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        os.environ["MLOPS_HOME"] = str(scratch / ".mlops")
        os.environ["GUNICORN_CMD_ARGS"] = "--no-control-socket"
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        _measure(scratch, args.seconds, args.rounds)


def _save_model(folder: Path) -> Path:
    """The sample's model (training.py on the sample data), saved as train_model saves it."""
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from diabetes_regression.data import features_and_target, read_data
    from diabetes_regression.model_types import trusted_types
    from diabetes_regression.training import train_model

    frame = read_data(ROOT / "data" / "diabetes")
    model = train_model(frame, alpha=0.5, fit_intercept=True)
    features, _target = features_and_target(frame)
    path = folder / "model"
    mlflow.sklearn.save_model(
        model,
        str(path),
        signature=infer_signature(features, model.predict(features)),
        skops_trusted_types=trusted_types(model),
    )
    return path


def _measure(scratch: Path, seconds: int, rounds: int) -> None:
    from mlops.assets.models import create_model
    from mlops.online import deployments, endpoints, processes, server, state
    from mlops.overrides import Overrides

    # A machine busy with other work can take minutes to load the model: wait longer than
    # `create` does, since only the measurement matters here.
    server.wait_ready = functools.partial(server.wait_ready, timeout=_READY_SECONDS)

    create_model(name="bench_model", path=str(_save_model(scratch)), model_type="mlflow_model")
    naive_code = scratch / "naive"
    naive_code.mkdir()
    (naive_code / "score.py").write_text(NAIVE_SCORE)
    naive_yaml = scratch / "naive.yml"
    blue = (ROOT / "endpoints" / "online" / "blue-deployment.yml").read_text()
    naive_yaml.write_text(
        blue.replace("../../src", str(naive_code)).replace(
            "diabetes_regression/score.py", "score.py"
        )
    )
    endpoint = endpoints.create_endpoint(ROOT / "endpoints" / "online" / "endpoint.yml")
    direct_pids: list[int] = []
    try:
        settings = Overrides(
            set=(
                "model=azureml:bench_model:1",
                "request_settings.max_concurrent_requests_per_instance=4",
            )
        )
        deployments.create_deployment(
            ROOT / "endpoints" / "online" / "blue-deployment.yml",
            all_traffic=True,
            overrides=settings,
        )
        deployments.create_deployment(naive_yaml, name="naive", overrides=settings)
        key = endpoints.get_credentials("diabetes-regression")["primaryKey"]
        current = state.load_endpoint("diabetes-regression")
        blue = state.load_deployment("diabetes-regression", "blue")
        targets = {
            "endpoint": (
                endpoint["scoring_uri"],
                key,
                {"gateway": current["gateway_pid"], "server": blue["pid"]},
            )
        }
        for name, deployment in (("direct", "blue"), ("naive", "naive")):
            pid, url = _direct_server(deployment, scratch)
            direct_pids.append(pid)
            targets[name] = (url, None, {"server": pid})
        row = json.loads((ROOT / "endpoints" / "online" / "sample-request.json").read_text())[
            "data"
        ][0]
        results = {}
        for rows in (1, 1000):
            body = scratch / f"rows_{rows}.json"
            body.write_text(json.dumps({"data": [row] * rows}))
            for connections in (1, 8):
                runs: dict[str, list[dict]] = {name: [] for name in targets}
                for _ in range(rounds):
                    for name, (url, secret, pids) in targets.items():
                        runs[name].append(
                            measured(url, body, secret, connections, seconds, scratch, pids)
                        )
                for name, done in runs.items():
                    results[(rows, connections, name)] = {
                        figure: statistics.median(run[figure] for run in done) for figure in done[0]
                    }
                ratios = [
                    endpoint_run["rps"] / direct_run["rps"]
                    for endpoint_run, direct_run in zip(
                        runs["endpoint"], runs["direct"], strict=True
                    )
                ]
                results[(rows, connections, "endpoint")]["spread"] = (min(ratios), max(ratios))
    finally:
        for pid in direct_pids:
            processes.stop(pid)
        endpoints.delete_endpoint("diabetes-regression")
    _report(results)


def _direct_server(deployment: str, scratch: Path) -> tuple[int, str]:
    """An inference server like the deployment's (code, model, settings) on a TCP port."""
    from mlops.online import processes, server, state

    recorded = state.load_deployment("diabetes-regression", deployment)
    port = processes.free_port()
    log = scratch / f"direct_{deployment}.log"
    pid = server.start(
        code=Path(recorded["code"]),
        scoring_script=recorded["scoring_script"],
        model_dir=Path(recorded["model_dir"]),
        bind=f"127.0.0.1:{port}",
        settings=recorded["request_settings"],
        environment_variables=recorded["environment_variables"],
        log=log,
    )
    deadline = time.time() + _READY_SECONDS
    while not processes.healthy(port):
        if time.time() > deadline or not processes.alive(pid):
            processes.stop(pid)
            tail = "\n".join(processes.log_tail(log, 20))
            sys.exit(f"the direct server for {deployment} did not start; its log ends:\n{tail}")
        time.sleep(0.2)
    return pid, f"http://127.0.0.1:{port}/score"


def _report(results: dict) -> None:
    print(f"medians over the rounds; machine load average now {os.getloadavg()[0]:.1f}")
    print(
        f"{'rows':>5} {'conc':>4} {'target':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'server us/req':>14} {'gateway us/req':>15}"
    )
    for (rows, connections, name), result in results.items():
        gateway = f"{result['cpu_gateway']:15.0f}" if "cpu_gateway" in result else f"{'':>15}"
        print(
            f"{rows:>5} {connections:>4} {name:<9} "
            f"{result['rps']:8.1f} {result['p50']:8.2f} {result['p99']:8.2f} "
            f"{result['cpu_server']:14.0f} {gateway}"
        )
    print()
    for rows, wanted in ((1, 0.95), (1000, 0.85)):
        ratio = results[(rows, 8, "endpoint")]["rps"] / results[(rows, 8, "direct")]["rps"]
        low, high = results[(rows, 8, "endpoint")]["spread"]
        added = results[(rows, 1, "endpoint")]["p50"] - results[(rows, 1, "direct")]["p50"]
        naive = results[(rows, 8, "direct")]["rps"] / results[(rows, 8, "naive")]["rps"]
        print(
            f"{rows:>4} rows: endpoint/direct throughput at c=8 {ratio:.2f} "
            f"(rounds {low:.2f}-{high:.2f}; target >= {wanted}: "
            f"{'met' if ratio >= wanted else 'MISSED'}); "
            f"added p50 at c=1 {added:+.2f} ms (target <= 0.5: "
            f"{'met' if added <= 0.5 else 'MISSED'}); score.py/naive throughput {naive:.2f}"
            + (f" (target >= 1.5: {'met' if naive >= 1.5 else 'MISSED'})" if rows == 1000 else "")
        )


if __name__ == "__main__":
    main()
