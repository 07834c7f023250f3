"""The endpoint gateway's own CPU per request, this tree's gateway beside another commit's.

Each gateway (src/mlops/online/gateway.py, run as `python -m mlops.online.gateway`) fronts the
same stand-in server: a tiny asyncio server on a Unix socket that reads each request whole and
answers 200 with the headers and body size of the inference server's answer (1 row: a short
body; 1000 rows: about 20 kB). wrk sends 1-row and 1000-row POSTs at concurrency 8 (the
endpoint benchmark's figures), and the gateway's CPU time (user + system, from the process
itself) is divided by the requests answered. The two gateways take turns, round after round,
and each figure is the median of its rounds, so that a busy spell of a shared machine falls on
both alike; CPU per request hardly moves with the machine's other load, unlike throughput.

On a saturated machine benchmarks/endpoint.py's throughput ratio is about server CPU /
(server + gateway CPU) per request, so this figure is the one the gateway can move.

Needs wrk (`apt-get install -y wrk`).
Usage: .venv/bin/python benchmarks/gateway_cpu.py [--baseline REF] [--seconds N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-key"
ROW = [0.038, 0.0507, 0.0617, 0.0219, -0.0442, -0.0348, -0.0434, -0.0026, 0.0199, -0.0176]
# The stand-in server: argv is the socket path, then rows=size/delay for 1 and 1000 rows: the body
# size of the answer, and the milliseconds it holds each answer (about the inference server's CPU
# per request in benchmarks/endpoint.py, so that the gateway sees requests at the pace it would).
STAND_IN = """\
import asyncio, sys, uuid
import httptools

ANSWERS = {}
for pair in sys.argv[2:]:
    rows, answer = pair.split("=")
    size, delay = answer.split("/")
    ANSWERS[int(rows)] = (int(size), float(delay) / 1000)

class Server(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.parser, self.size = transport, httptools.HttpRequestParser(self), 0
    def data_received(self, data):
        self.parser.feed_data(data)
    def on_message_begin(self):
        self.size = 0
    def on_body(self, body):
        self.size += len(body)
    def on_message_complete(self):
        size, delay = ANSWERS[1000 if self.size > 1000 else 1]
        asyncio.get_running_loop().call_later(delay, self.answer, size)
    def answer(self, size):
        body = b"[" + b"152.13," * (size // 7) + b"1]"
        request_id = str(uuid.uuid4()).encode()
        self.transport.write(
            b"HTTP/1.1 200 OK\\r\\nServer: gunicorn\\r\\nDate: Wed, 02 Dec 2026 02:30:00 GMT\\r\\n"
            b"Connection: keep-alive\\r\\nContent-Type: application/json\\r\\n"
            b"Content-Length: %d\\r\\nx-ms-run-function-failed: False\\r\\n"
            b"x-ms-server-version: azmlinfsrv/1.4.0\\r\\nx-ms-request-id: %s\\r\\n"
            b"x-request-id: %s\\r\\n\\r\\n%s" % (len(body), request_id, request_id, body)
        )

async def main():
    server = await asyncio.get_running_loop().create_unix_server(Server, sys.argv[1])
    await server.serve_forever()

asyncio.run(main())
"""
LUA = """\
wrk.method = "POST"
wrk.body = io.open("{body}"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default="HEAD", help="The commit to compare with.")
    parser.add_argument("--seconds", type=int, default=3, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=5, help="Turns each gateway takes.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as folder:
        _measure(Path(folder), args.baseline, args.seconds, args.rounds)


def _measure(scratch: Path, baseline: str, seconds: int, rounds: int) -> None:
    sources = {f"{baseline} (baseline)": _checkout(baseline, scratch), "this tree": ROOT / "src"}
    started: list[subprocess.Popen] = []
    try:
        stand_in = _stand_in(scratch, started)
        gateways = {
            name: _gateway(source, scratch / f"endpoint{index}", stand_in, started)
            for index, (name, source) in enumerate(sources.items())
        }
        print(
            f"{'rows':>5} {'gateway':<24} {'µs CPU/request (rounds)':<32} "
            f"{'user':>6} {'system':>6} {'req/s':>6}"
        )
        for rows in (1, 1000):
            body = scratch / f"rows_{rows}.json"
            body.write_text(json.dumps({"data": [ROW] * rows}))
            runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in gateways}
            for _ in range(rounds):
                for name, (pid, port) in gateways.items():
                    runs[name].append(_cpu_per_request(pid, port, body, seconds, scratch))
            for name, figures in runs.items():
                cpu = sorted(round(user + system) for user, system, _ in figures)
                columns = zip(*figures, strict=True)
                user, system, rps = (statistics.median(column) for column in columns)
                line = f"{statistics.median(cpu):.0f} {cpu}"
                print(f"{rows:>5} {name:<24} {line:<32} {user:>6.0f} {system:>6.0f} {rps:>6.0f}")
    finally:
        for process in started:
            process.terminate()
            process.wait(10)


def _checkout(ref: str, scratch: Path) -> Path:
    """src/ of the commit `ref`, unpacked under `scratch`."""
    archive = subprocess.run(
        ["git", "archive", ref, "src/mlops"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    target = scratch / "baseline"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "src"


def _stand_in(scratch: Path, started: list[subprocess.Popen]) -> str:
    path = str(scratch / "server.sock")
    sizes = ["1=24/0.8", "1000=19000/1.65"]
    started.append(subprocess.Popen([sys.executable, "-c", STAND_IN, path, *sizes]))
    _wait(lambda: os.path.exists(path))
    return path


def _gateway(
    source: Path, folder: Path, stand_in: str, started: list[subprocess.Popen]
) -> tuple[int, int]:
    """Start a gateway from `source` in front of the stand-in; its pid and port."""
    folder.mkdir()
    route = {"socket": stand_in, "max_pending": 1000, "timeout_ms": 5000, "connections": 2}
    endpoint = {"deployment_routes": {"blue": route}, "traffic": {"blue": 100}}
    (folder / "endpoint.json").write_text(json.dumps(endpoint))
    (folder / "keys.json").write_text(json.dumps({"primaryKey": KEY, "secondaryKey": "other"}))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(source)}
    argv = [sys.executable, "-m", "mlops.online.gateway", str(folder), str(port)]
    process = subprocess.Popen(argv, env=env, cwd=folder, stderr=subprocess.DEVNULL)
    started.append(process)
    _wait(lambda: _listening(port))
    return process.pid, port


def _cpu_per_request(
    pid: int, port: int, body: Path, seconds: int, scratch: Path
) -> tuple[float, float, float]:
    """wrk at concurrency 8 for `seconds`: the gateway's user and system CPU µs per request,
    and req/s."""
    script = scratch / "post.lua"
    script.write_text(LUA.format(body=body, key=KEY))
    process = psutil.Process(pid)
    url = f"http://127.0.0.1:{port}/score"
    before = process.cpu_times()
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", "8", "-d", f"{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = process.cpu_times()
    requests = int(out.split(" requests in ")[0].split()[-1])
    if "Non-2xx" in out:
        sys.exit(f"the gateway answered other than 200:\n{out}")
    user, system = (after[index] - before[index] for index in (0, 1))
    return user / max(1, requests) * 1e6, system / max(1, requests) * 1e6, requests / seconds


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _wait(ready, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            sys.exit("a process of the benchmark did not start")
        time.sleep(0.05)


if __name__ == "__main__":
    main()
