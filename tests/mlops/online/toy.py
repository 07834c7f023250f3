"""A toy endpoint for the gateway's tests: a scoring script that sums each row plus an offset read
from its model folder, and that sleeps or answers a chosen status when a request asks it to."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ENDPOINT = "gateway-test"
DEPLOYMENT = "toy"
SCORE = """\
import json, os, time
from pathlib import Path

from azureml_inference_server_http.api.aml_response import AMLResponse


def init():
    global offset
    offset = float((Path(os.environ["AZUREML_MODEL_DIR"]) / "model" / "offset.txt").read_text())


def run(raw_data):
    try:
        request = json.loads(raw_data)
    except ValueError:
        return AMLResponse("the request is not JSON", 400)
    if not isinstance(request, dict):
        return AMLResponse("the request must be a JSON object", 400)
    if "sleep" in request:
        time.sleep(float(request["sleep"]))
    if "status" in request:
        return AMLResponse("the status asked for", int(request["status"]))
    data = request.get("data")
    if not isinstance(data, list) or not all(
        isinstance(row, list)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)
        for row in data
    ):
        return AMLResponse('"data" must be a list of rows of numbers', 400)
    return {"result": [offset + sum(row) for row in data]}
"""
SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "toy", "version": "1"},
    "paths": {},
    "definitions": {
        "ServiceInput": {
            "type": "object",
            "properties": {
                "data": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "number", "format": "double"}},
                }
            },
            "example": {"data": [[1.0, 2.0]]},
        }
    },
}
ENDPOINT_YAML = f"""\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: {ENDPOINT}
auth_mode: key
"""
DEPLOYMENT_YAML = f"""\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: {DEPLOYMENT}
endpoint_name: {ENDPOINT}
model:
  path: ./model
code_configuration:
  code: ./code
  scoring_script: score.py
instance_type: Standard_DS3_v2
instance_count: 1
request_settings:
  request_timeout_ms: 1500
  max_concurrent_requests_per_instance: {{concurrent}}
"""


@dataclass
class Toy:
    """A running toy endpoint: its state folder, gateway port, key and deployment YAML."""

    home: Path
    port: int
    key: str
    deployment_yaml: Path
    gateway_pid: int

    def request(
        self,
        method: str = "POST",
        path: str = "/score",
        body: bytes | None = b'{"data": [[1, 2]]}',
        headers: dict[str, str] | None = None,
        *,
        key: bool = True,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request through the gateway: status, headers (lower-case names), body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {"Content-Type": "application/json", **(headers or {})}
        if key:
            sent["Authorization"] = f"Bearer {self.key}"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()


def write_project(folder: Path, offset: float, concurrent: int = 1) -> Path:
    """The toy's code, model and YAML files under `folder`; returns the deployment YAML."""
    (folder / "code").mkdir(parents=True, exist_ok=True)
    (folder / "code" / "score.py").write_text(SCORE)
    (folder / "code" / "swagger2.json").write_text(json.dumps(SWAGGER))
    (folder / "model").mkdir(exist_ok=True)
    (folder / "model" / "offset.txt").write_text(str(offset))
    (folder / "endpoint.yml").write_text(ENDPOINT_YAML)
    (folder / "deployment.yml").write_text(DEPLOYMENT_YAML.replace("{concurrent}", str(concurrent)))
    return folder / "deployment.yml"


@contextlib.contextmanager
def toy_endpoint(folder: Path, concurrent: int = 1) -> Iterator[Toy]:
    """Start the toy endpoint with its deployment taking all traffic; delete it afterwards.

    Args:
        concurrent: its max_concurrent_requests_per_instance (pending limit: twice that).
    """
    from mlops.online import deployments, endpoints, state

    home = folder / ".mlops"
    home.mkdir(parents=True)
    deployment_yaml = write_project(folder / "project", offset=100.0, concurrent=concurrent)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLOPS_HOME", str(home))
        patch.setenv("GUNICORN_CMD_ARGS", "--no-control-socket")
        endpoints.create_endpoint(folder / "project" / "endpoint.yml")
        try:
            deployments.create_deployment(deployment_yaml, all_traffic=True)
            current = state.load_endpoint(ENDPOINT)
            yield Toy(
                home,
                current["port"],
                endpoints.get_credentials(ENDPOINT)["primaryKey"],
                deployment_yaml,
                current["gateway_pid"],
            )
        finally:
            endpoints.delete_endpoint(ENDPOINT)


def rss_kb(pid: int) -> int:
    """A process's resident memory in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def listening_tcp_inodes() -> set[str]:
    """Socket inodes of every listening TCP socket on this machine."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    """Socket inodes a process holds open."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                found.add(target[8:-1])
    return found
