"""The gateway answers as Azure's managed endpoints do (408, 429, 424 and its headers), speaks
HTTP/1.1 as RFC 9112 says, is the only way to a deployment's server, and keeps every request
answered while a deployment is updated. Runs on the toy endpoint (toy.py), not the sample."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import stat
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from toy import (
    DEPLOYMENT,
    ENDPOINT,
    Toy,
    listening_tcp_inodes,
    socket_inodes,
    toy_endpoint,
    write_project,
)

from mlops.online import deployments, http11, processes, state

pytestmark = pytest.mark.slow
INIT_DONE = "Users's init has completed successfully"


@pytest.fixture(scope="module")
def module_toy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Toy]:
    with toy_endpoint(tmp_path_factory.mktemp("gateway")) as running:
        yield running


@pytest.fixture
def toy(module_toy: Toy, monkeypatch: pytest.MonkeyPatch) -> Toy:
    monkeypatch.setenv("MLOPS_HOME", str(module_toy.home))
    return module_toy


def raw(toy: Toy, data: bytes, *, timeout: float = 15) -> bytes:
    """Send bytes on a fresh connection; everything the gateway sends back until it closes."""
    with socket.create_connection(("127.0.0.1", toy.port), timeout=timeout) as client:
        client.sendall(data)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
        return received


def head(toy: Toy, path: str = "/score", body: bytes = b"", **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", f"Authorization: Bearer {toy.key}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_the_server_has_no_tcp_port_and_its_socket_is_owner_only(toy: Toy) -> None:
    deployment = state.load_deployment(ENDPOINT, DEPLOYMENT)
    pid = deployment["pid"]
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()

    for process in [pid, *map(int, children)]:
        assert not socket_inodes(process) & listening_tcp_inodes()
    assert stat.S_IMODE(os.stat(Path(deployment["socket"]).parent).st_mode) == 0o700
    assert "port" not in deployments.show_deployment(ENDPOINT, DEPLOYMENT)["properties"]


def test_a_scoring_call_longer_than_request_timeout_ms_gets_408(toy: Toy) -> None:
    started = time.monotonic()
    status, _headers, body = toy.request(body=b'{"sleep": 4}')

    assert status == 408
    assert 1.4 < time.monotonic() - started < 3.5
    assert "request_timeout_ms (1500 ms)" in json.loads(body)["message"]
    time.sleep(3)
    assert toy.request()[0] == 200


def test_more_pending_requests_than_twice_max_concurrent_get_429(toy: Toy) -> None:
    with ThreadPoolExecutor(5) as pool:
        answers = list(
            pool.map(lambda _: toy.request(body=b'{"sleep": 0.5, "data": [[1]]}'), range(5))
        )

    statuses = sorted(status for status, _headers, _body in answers)
    assert statuses == [200, 200, 429, 429, 429]
    rejected = next(headers for status, headers, _body in answers if status == 429)
    assert rejected["ms-azureml-model-error-reason"] == "too_many_pending_request"


@pytest.mark.parametrize("model_status", [400, 404, 500, 503])
def test_a_model_answer_other_than_200_is_a_424_with_its_status(
    toy: Toy, model_status: int
) -> None:
    status, headers, body = toy.request(body=b'{"status": %d}' % model_status)

    assert status == 424
    assert headers["ms-azureml-model-error-statuscode"] == str(model_status)
    assert headers["ms-azureml-model-error-reason"] == "model_error"
    assert headers["azureml-model-deployment"] == DEPLOYMENT
    assert body == b"the status asked for"


def test_without_the_key_nothing_is_read_nor_forwarded(toy: Toy) -> None:
    big = http11.MAX_BODY_BYTES + 1
    request = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % big

    answer = raw(toy, request)

    assert answer.startswith(b"HTTP/1.1 401 ") and b"Connection: close" in answer
    status, _headers, _body = toy.request(headers={"Authorization": "Bearer wrong"}, key=False)
    assert status == 401


def test_a_kept_alive_connection_gets_one_answer_per_refused_request(toy: Toy) -> None:
    refused = head(toy, body=b'{"data": [[1]]}', Content_Length="15").replace(
        toy.key.encode(), b"wrong"
    )
    with socket.create_connection(("127.0.0.1", toy.port), timeout=10) as client:
        answers = []
        for _ in range(3):
            client.sendall(refused)
            answers.append(client.recv(65536))
        client.sendall(head(toy, body=b'{"data": [[1]]}', Content_Length="15"))
        last = client.recv(65536)

    assert all(answer.count(b"HTTP/1.1 401 ") == 1 for answer in answers)
    assert last.startswith(b"HTTP/1.1 200 ") and last.endswith(b"[101.0]}")


def test_a_body_over_the_bound_gets_413_before_it_is_sent(toy: Toy) -> None:
    answer = raw(toy, head(toy, Content_Length=str(http11.MAX_BODY_BYTES + 1)))

    assert answer.startswith(b"HTTP/1.1 413 ")


def test_100_continue_is_sent_only_once_the_headers_pass(toy: Toy) -> None:
    body = b'{"data": [[1, 2, 3]]}'
    request = head(toy, Content_Length=str(len(body)), Expect="100-continue")
    with socket.create_connection(("127.0.0.1", toy.port), timeout=10) as client:
        client.sendall(request)
        interim = client.recv(65536)
        client.sendall(body)
        final = client.recv(65536)

    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert final.startswith(b"HTTP/1.1 200 ") and final.endswith(b'{"result": [106.0]}')
    refused = raw(toy, request.replace(toy.key.encode(), b"wrong"))
    assert refused.startswith(b"HTTP/1.1 401 ")


def test_a_chunked_body_is_scored(toy: Toy) -> None:
    chunks = b'7\r\n{"data"\r\nb\r\n: [[1, 2]]}\r\n0\r\n\r\n'
    answer = raw(toy, head(toy, Transfer_Encoding="chunked", Connection="close") + chunks)

    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'{"result": [103.0]}')


def test_head_gets_the_length_of_get_and_no_body(toy: Toy) -> None:
    status, headers, body = toy.request("HEAD", "/", body=None)

    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(len(toy.request("GET", "/", body=None)[2]))


def test_a_kept_alive_connection_serves_pipelined_requests_in_order(toy: Toy) -> None:
    first = head(toy, body=b'{"data": [[1]]}', Content_Length="15")
    last = head(toy, body=b'{"data": [[2]]}', Content_Length="15", Connection="close")

    answer = raw(toy, first + last)

    assert answer.count(b"HTTP/1.1 200 ") == 2
    assert answer.index(b"[101.0]") < answer.index(b"[102.0]")


def test_liveness_swagger_and_logs_still_answer(toy: Toy) -> None:
    assert toy.request("GET", "/", body=None)[2] == b"Healthy"
    status, _headers, body = toy.request("GET", "/swagger.json?version=2", body=None)
    assert status == 200 and "ServiceInput" in json.loads(body)["definitions"]
    assert "POST /score" in deployments.get_logs(ENDPOINT, DEPLOYMENT, 500)


def test_the_gateway_runs_on_uvloop_and_keeps_its_freed_heap(toy: Toy) -> None:
    """Its CPU per request: uvloop's loop where installed, and no page faults per large body."""
    environ = Path(f"/proc/{toy.gateway_pid}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_TRIM_THRESHOLD_=4194304" in environ
    assert b"MALLOC_MMAP_THRESHOLD_=1048576" in environ
    loaded = Path(f"/proc/{toy.gateway_pid}/maps").read_text()
    assert ("uvloop" in loaded) == (importlib.util.find_spec("uvloop") is not None)


def test_an_update_under_load_fails_no_request(toy: Toy, tmp_path: Path) -> None:
    old = state.load_deployment(ENDPOINT, DEPLOYMENT)
    updated = write_project(tmp_path / "next", offset=200.0)
    results: list[tuple[int, bytes]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            status, _headers, body = toy.request(body=b'{"data": [[1]]}')
            results.append((status, body))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        deployments.update_deployment(updated)
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert {status for status, _body in results} == {200}
    bodies = [body for _status, body in results]
    assert bodies[0] == b'{"result": [101.0]}' and bodies[-1] == b'{"result": [201.0]}'
    assert not processes.alive(old["pid"])
    assert not Path(old["revision_folder"]).exists() and not Path(old["socket"]).exists()
    assert Path(state.load_deployment(ENDPOINT, DEPLOYMENT)["model_dir"]).is_dir()


def test_a_worker_restarted_after_an_update_finds_its_model(toy: Toy, tmp_path: Path) -> None:
    deployments.update_deployment(write_project(tmp_path / "next", offset=300.0))
    deployment = state.load_deployment(ENDPOINT, DEPLOYMENT)
    pid, log = deployment["pid"], Path(deployment["log"])
    workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    inits = log.read_text().count(INIT_DONE)

    os.kill(int(workers[0]), signal.SIGKILL)
    deadline = time.monotonic() + 60
    while log.read_text().count(INIT_DONE) == inits and time.monotonic() < deadline:
        time.sleep(0.2)

    assert log.read_text().count(INIT_DONE) == inits + 1
    answers = {toy.request(body=b'{"data": [[1]]}')[2] for _ in range(2 * len(workers))}
    assert answers == {b'{"result": [301.0]}'}
