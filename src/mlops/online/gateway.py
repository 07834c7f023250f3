"""An endpoint's scoring URI: a small asyncio HTTP/1.1 proxy on 127.0.0.1.

It checks the key (401 without or with a wrong one), picks the deployment by the
`azureml-model-deployment` header or else by the traffic weights, copies a share of the traffic
to the mirror deployment without touching the response, and names the deployment that answered
in the `azureml-model-deployment` response header, as Azure ML's endpoints do. Upstream
connections are kept alive and reused. The routing is reread from endpoint.json when it changes.

Run as `python -m mlops.online.gateway <endpoint folder> <port>`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger("mlops.gateway")

DEPLOYMENT_HEADER = b"azureml-model-deployment"
_HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"content-length"}
_MAX_HEADER_BYTES = 64 * 1024


@dataclass
class Request:
    """One parsed request."""

    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


@dataclass
class Routes:
    """The routing table: deployment ports, traffic and mirror weights, keys."""

    ports: dict[str, int] = field(default_factory=dict)
    traffic: dict[str, int] = field(default_factory=dict)
    mirror: dict[str, int] = field(default_factory=dict)
    keys: list[bytes] = field(default_factory=list)


class Gateway:
    """Serves one endpoint; state comes from its folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.routes = Routes()
        self._stamp: tuple[float, float] | None = None
        self._idle: dict[int, list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = {}
        self._background: set[asyncio.Task[None]] = set()

    def refresh(self) -> None:
        """Reread endpoint.json and keys.json when either changed."""
        endpoint, keys = self.folder / "endpoint.json", self.folder / "keys.json"
        stamp = (endpoint.stat().st_mtime, keys.stat().st_mtime)
        if stamp == self._stamp:
            return
        state = json.loads(endpoint.read_text())
        secrets = json.loads(keys.read_text())
        self.routes = Routes(
            ports={name: int(port) for name, port in state.get("deployment_ports", {}).items()},
            traffic={k: int(v) for k, v in state.get("traffic", {}).items()},
            mirror={k: int(v) for k, v in state.get("mirror_traffic", {}).items()},
            keys=[secrets["primaryKey"].encode(), secrets["secondaryKey"].encode()],
        )
        self._stamp = stamp

    async def serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Answer requests on one client connection until it closes."""
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                status, headers, body = await self.answer(request)
                writer.write(encode_response(status, headers, body, request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def answer(self, request: Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Check the key, route, forward; errors are answered as Azure's endpoints answer."""
        self.refresh()
        if not self._authorized(request):
            return _error(401, "missing or wrong key: send 'Authorization: Bearer <key>'")
        wanted = request.header(DEPLOYMENT_HEADER)
        if wanted is not None:
            name = wanted.decode(errors="replace")
            if name not in self.routes.ports:
                return _error(404, f"deployment {name!r} does not exist on this endpoint")
        else:
            name = self._pick(self.routes.traffic)
            if name is None:
                return _error(
                    503,
                    "no deployment receives traffic: set it with "
                    '`mlops online-endpoint update --traffic "<deployment>=100"`',
                )
            self._maybe_mirror(request, name)
        try:
            status, headers, body = await self.forward(self.routes.ports[name], request)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            return _error(
                502, f"deployment {name!r} is not answering; see `mlops online-deployment get-logs`"
            )
        headers.append((DEPLOYMENT_HEADER, name.encode()))
        return status, headers, body

    def _authorized(self, request: Request) -> bool:
        value = request.header(b"authorization") or b""
        token = value[7:].strip() if value.lower().startswith(b"bearer ") else b""
        return bool(token) and any(hmac.compare_digest(token, key) for key in self.routes.keys)

    @staticmethod
    def _pick(weights: dict[str, int]) -> str | None:
        live = [(name, weight) for name, weight in weights.items() if weight > 0]
        if not live:
            return None
        names, shares = zip(*live, strict=True)
        return random.choices(names, weights=shares)[0]

    def _maybe_mirror(self, request: Request, serving: str) -> None:
        for name, share in self.routes.mirror.items():
            if name != serving and name in self.routes.ports and random.uniform(0, 100) < share:
                task = asyncio.ensure_future(self._mirror(self.routes.ports[name], request))
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    async def _mirror(self, port: int, request: Request) -> None:
        try:
            await self.forward(port, request)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            logger.warning("mirror request to port %d failed", port)

    async def forward(
        self, port: int, request: Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Send the request to a deployment over a kept-alive connection; return its answer."""
        for attempt in range(2):
            reader, writer = await self._connection(port, fresh=attempt > 0)
            try:
                writer.write(encode_request(request))
                await writer.drain()
                status, headers, body, reusable = await read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                writer.close()
                if attempt:
                    raise
                continue
            if reusable:
                self._idle.setdefault(port, []).append((reader, writer))
            else:
                writer.close()
            return status, headers, body
        raise ConnectionError("unreachable")

    async def _connection(self, port: int, *, fresh: bool):
        pool = self._idle.setdefault(port, [])
        while pool and not fresh:
            reader, writer = pool.pop()
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer
            writer.close()
        return await asyncio.open_connection("127.0.0.1", port)


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one HTTP/1.1 request (Content-Length bodies), or None at the end of the stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        raise ValueError("headers too large") from None
    lines = head[:-4].split(b"\r\n")
    method, target, version = lines[0].split(b" ", 2)
    headers = [_split_header(line) for line in lines[1:] if line]
    request = Request(method, target, headers, b"", True)
    length = int(request.header(b"content-length") or 0)
    request.body = await reader.readexactly(length) if length else b""
    connection = (request.header(b"connection") or b"").lower()
    request.keep_alive = connection != b"close" and not (
        version == b"HTTP/1.0" and connection != b"keep-alive"
    )
    return request


async def read_response(reader: asyncio.StreamReader):
    """Read one upstream response: status, headers, body and whether the connection is reusable."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = [_split_header(line) for line in lines[1:] if line]
    values = {key.lower(): value for key, value in headers}
    reusable = values.get(b"connection", b"").lower() != b"close"
    if b"content-length" in values:
        body = await reader.readexactly(int(values[b"content-length"]))
    elif values.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = await _read_chunked(reader)
    else:
        body, reusable = await reader.read(), False
    return status, [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP], body, reusable


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _split_header(line: bytes) -> tuple[bytes, bytes]:
    name, _, value = line.partition(b":")
    return name.strip(), value.strip()


def encode_request(request: Request) -> bytes:
    """The request as sent upstream (kept alive, with its exact body length)."""
    lines = [request.method + b" " + request.target + b" HTTP/1.1"]
    lines += [k + b": " + v for k, v in request.headers if k.lower() not in _HOP_BY_HOP]
    lines += [b"Content-Length: " + str(len(request.body)).encode(), b"Connection: keep-alive"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.body


def encode_response(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes, keep_alive: bool
) -> bytes:
    """The response as sent to the client."""
    lines = [b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b"OK"))]
    lines += [k + b": " + v for k, v in headers]
    lines += [b"Content-Length: " + str(len(body)).encode()]
    lines.append(b"Connection: keep-alive" if keep_alive else b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _error(status: int, message: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps({"message": message}).encode()
    return status, [(b"Content-Type", b"application/json")], body


_REASONS = {
    200: b"OK",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
    415: b"Unsupported Media Type",
    500: b"Internal Server Error",
    502: b"Bad Gateway",
    503: b"Service Unavailable",
    504: b"Gateway Timeout",
}


async def _main(folder: Path, port: int) -> None:
    gateway = Gateway(folder)
    gateway.refresh()
    server = await asyncio.start_server(
        gateway.serve_client, "127.0.0.1", port, limit=_MAX_HEADER_BYTES
    )
    logger.info("gateway for %s listening on 127.0.0.1:%d", folder.name, port)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Entry point: `python -m mlops.online.gateway <endpoint folder> <port>`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_main(Path(sys.argv[1]), int(sys.argv[2])))


if __name__ == "__main__":
    main()
