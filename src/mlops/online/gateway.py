"""An endpoint's scoring URI: a small asyncio HTTP/1.1 gateway on 127.0.0.1.

It answers as Azure ML's managed online endpoints do: 401 without the key (checked on the
headers, before any body is read), 404 for an unknown deployment or when no deployment takes
traffic, 413 for a body over the bound, 429 beyond 2 x max_concurrent_requests_per_instance x
instance_count pending requests of a deployment, 408 when the model takes longer than
request_timeout_ms, and 424 when the model answers anything but 200 (its status and reason in the
`ms-azureml-model-error-statuscode` and `ms-azureml-model-error-reason` headers, its body kept).
It picks the deployment by the `azureml-model-deployment` header or else by the traffic weights,
copies a share of the traffic to the mirror deployment, and names the deployment that answered
in the `azureml-model-deployment` response header. Deployments' inference servers listen on Unix
sockets in owner-only folders, so the gateway is the only way in. The routing is reread from
endpoint.json when it changes; a request whose server has just been replaced is sent to the new
one.

Run as `python -m mlops.online.gateway <endpoint folder> <port>`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mlops.online import http11, upstream
from mlops.online.deadlines import Deadlines
from mlops.online.http11 import ClientGone, HttpError, Request

logger = logging.getLogger("mlops.gateway")

DEPLOYMENT_HEADER = b"azureml-model-deployment"
MAX_CONNECTIONS = 1000
_JSON = (b"Content-Type", b"application/json")


@dataclass(frozen=True)
class Route:
    """Where a deployment's server listens and the limits Azure would apply to it."""

    socket: str
    max_pending: int
    timeout_ms: int
    connections: int = 1


@dataclass
class Routes:
    """The routing table: deployments, traffic and mirror weights, keys."""

    deployments: dict[str, Route] = field(default_factory=dict)
    traffic: dict[str, int] = field(default_factory=dict)
    mirror: dict[str, int] = field(default_factory=dict)
    keys: list[bytes] = field(default_factory=list)


@dataclass
class Answer:
    """What the gateway sends back for one request."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    close: bool = False
    length: int | None = None
    fields: bytes = b""  # the server's header lines, as it sent them


def _error(status: int, message: str, *, close: bool = False) -> Answer:
    return Answer(status, [_JSON], json.dumps({"message": message}).encode(), close)


class Gateway:
    """Serves one endpoint; state comes from its folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._endpoint_file = str(folder / "endpoint.json")
        self._keys_file = str(folder / "keys.json")
        self.routes = Routes()
        self.pending: dict[str, int] = {}
        self.connections = 0
        self._stamp: tuple[int, ...] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.pools: dict[str, upstream.Pool] = {}
        self._deadlines = Deadlines()

    def refresh(self) -> None:
        """Reread endpoint.json and keys.json when either changed; keep the routes it has when
        they cannot be read (the endpoint is being deleted)."""
        try:
            self._reload()
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("keeping the routes in use: cannot read the endpoint's state: %s", error)

    def _reload(self) -> None:
        endpoint, keys = os.stat(self._endpoint_file), os.stat(self._keys_file)
        stamp = (endpoint.st_mtime_ns, endpoint.st_ino, keys.st_mtime_ns, keys.st_ino)
        if stamp == self._stamp:
            return
        state = json.loads(Path(self._endpoint_file).read_text())
        secrets = json.loads(Path(self._keys_file).read_text())
        self.routes = Routes(
            deployments={
                name: Route(
                    socket=str(route["socket"]),
                    max_pending=int(route["max_pending"]),
                    timeout_ms=int(route["timeout_ms"]),
                    connections=int(route.get("connections", 1)),
                )
                for name, route in state.get("deployment_routes", {}).items()
            },
            traffic={k: int(v) for k, v in state.get("traffic", {}).items()},
            mirror={k: int(v) for k, v in state.get("mirror_traffic", {}).items()},
            keys=[secrets["primaryKey"].encode(), secrets["secondaryKey"].encode()],
        )
        self._stamp = stamp
        sockets = {route.socket for route in self.routes.deployments.values()}
        for path in [path for path in self.pools if path not in sockets]:
            self.pools.pop(path).retire()

    def _pool(self, route: Route) -> upstream.Pool:
        pool = self.pools.get(route.socket)
        if pool is None:
            pool = self.pools[route.socket] = upstream.Pool(route.socket, route.connections)
        return pool

    async def serve_client(self, connection: http11.Connection) -> None:
        """Answer requests on one client connection until it closes or breaks a rule."""
        if self.connections >= MAX_CONNECTIONS:
            connection.close()
            return
        self.connections += 1
        try:
            while True:
                try:
                    request = await connection.next_request()
                except HttpError as error:
                    await _send(connection, _error(error.status, error.message, close=True))
                    break
                answer = await self.answer(connection, request)
                connection.finish(request)
                head = request.method == b"HEAD"
                keep = request.keep_alive and not answer.close
                await _send(connection, answer, keep_alive=keep, head=head)
                if not keep:
                    break
        except (TimeoutError, ClientGone, ConnectionError):
            pass
        finally:
            self.connections -= 1
            connection.close()

    async def answer(self, connection: http11.Connection, request: Request) -> Answer:
        """Check the key, route, read the body, forward; answer as Azure's endpoints answer."""
        self.refresh()
        unread = not request.complete
        if not self._authorized(request):
            return _error(
                401, "missing or wrong key: send 'Authorization: Bearer <key>'", close=unread
            )
        wanted = request.header(DEPLOYMENT_HEADER)
        mirrored = wanted is None
        if wanted is not None:
            name = wanted.decode(errors="replace")
            if name not in self.routes.deployments:
                return _error(
                    404, f"deployment {name!r} does not exist on this endpoint", close=unread
                )
        else:
            picked = self._pick(self.routes.traffic)
            if picked is None:
                return _error(
                    404,
                    "no deployment receives traffic: set it with "
                    '`mlops online-endpoint update --traffic "<deployment>=100"`',
                    close=unread,
                )
            name = picked
        declared = http11.content_length(request)
        if declared is not None and declared > http11.MAX_BODY_BYTES:
            return _error(413, f"the body is over {http11.MAX_BODY_BYTES} bytes", close=True)
        route = self.routes.deployments[name]
        if self.pending.get(name, 0) >= route.max_pending:
            return Answer(
                429,
                [(b"Content-Type", b"text/plain"), *_model_error(b"too_many_pending_request")],
                b"",
                close=unread,
            )
        self.pending[name] = self.pending.get(name, 0) + 1
        try:
            try:
                body = await connection.read_body(request, lambda: _continue(connection))
            except HttpError as error:
                return _error(error.status, error.message, close=True)
            if mirrored:
                self._maybe_mirror(request, body, name)
            return await self._forward(name, request, body)
        finally:
            self.pending[name] -= 1

    async def _forward(self, name: str, request: Request, body: bytes) -> Answer:
        payload = upstream.encode_request(request.method, request.target, request.headers, body)
        head = request.method == b"HEAD"
        for attempt in range(2):
            route = self.routes.deployments.get(name)
            if route is None:
                return _error(404, f"deployment {name!r} was deleted")
            try:
                response = await self._deadlines.within(
                    self._pool(route).exchange(payload, head_only=head),
                    route.timeout_ms / 1000,
                )
                break
            except TimeoutError:
                return _error(
                    408,
                    f"the model took longer than request_timeout_ms ({route.timeout_ms} ms)",
                )
            except (upstream.UpstreamUnreachable, upstream.UpstreamBroken) as error:
                # An update swaps servers: the old one refuses new connections and drops the
                # ones it never read. endpoint.json already names the new one; send it there.
                unread = isinstance(error, upstream.UpstreamUnreachable) or error.silent
                if attempt == 0 and unread and self._rerouted(name, route):
                    continue
                return _unreachable(name)
        else:
            return _unreachable(name)
        headers = [(DEPLOYMENT_HEADER, name.encode())]
        length = response.length if head else None
        if response.status == 200:
            return Answer(200, headers, response.body, length=length, fields=response.fields)
        headers += [
            (b"ms-azureml-model-error-statuscode", b"%d" % response.status),
            *_model_error(b"model_error"),
        ]
        return Answer(424, headers, response.body, length=length, fields=response.fields)

    def _rerouted(self, name: str, route: Route) -> bool:
        """Whether endpoint.json, reread now, sends `name` to another server than `route`."""
        self._stamp = None
        self.refresh()
        current = self.routes.deployments.get(name)
        return current is not None and current.socket != route.socket

    def _authorized(self, request: Request) -> bool:
        value = request.header(b"authorization") or b""
        token = value[7:].strip() if value[:7].lower() == b"bearer " else b""
        return bool(token) and any(hmac.compare_digest(token, key) for key in self.routes.keys)

    @staticmethod
    def _pick(weights: dict[str, int]) -> str | None:
        live = [(name, weight) for name, weight in weights.items() if weight > 0]
        if len(live) < 2:
            return live[0][0] if live else None
        names, shares = zip(*live, strict=True)
        return random.choices(names, weights=shares)[0]

    def _maybe_mirror(self, request: Request, body: bytes, serving: str) -> None:
        for name, share in self.routes.mirror.items():
            route = self.routes.deployments.get(name)
            if name == serving or route is None or random.uniform(0, 100) >= share:
                continue
            if self.pending.get(name, 0) >= route.max_pending:
                continue
            task = asyncio.ensure_future(self._mirror(name, request, body))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _mirror(self, name: str, request: Request, body: bytes) -> None:
        self.pending[name] = self.pending.get(name, 0) + 1
        try:
            answer = await self._forward(name, request, body)
            if answer.status != 200:
                logger.warning("mirrored request to %s got %d", name, answer.status)
        finally:
            self.pending[name] -= 1


def _model_error(reason: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"ms-azureml-model-error-reason", reason)]


def _unreachable(name: str) -> Answer:
    return _error(
        502, f"deployment {name!r} is not answering; see `mlops online-deployment get-logs`"
    )


async def _send(
    connection: http11.Connection, answer: Answer, *, keep_alive: bool = False, head=False
) -> None:
    length = len(answer.body) if answer.length is None else answer.length
    connection.write(
        http11.encode_head(
            answer.status, answer.headers, length, keep_alive=keep_alive, fields=answer.fields
        ),
        b"" if head else answer.body,
    )
    await connection.drain()


async def _continue(connection: http11.Connection) -> None:
    connection.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    await connection.drain()


async def _main(folder: Path, port: int) -> None:
    gateway = Gateway(folder)
    gateway.refresh()
    server = await asyncio.get_running_loop().create_server(
        lambda: http11.Connection(gateway.serve_client), "127.0.0.1", port, backlog=1024
    )
    logger.info("gateway for %s listening on 127.0.0.1:%d", folder.name, port)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Entry point: `python -m mlops.online.gateway <endpoint folder> <port>`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_main(Path(sys.argv[1]), int(sys.argv[2])))


def _loop_factory():
    """uvloop's event loop where it is installed (not on Windows), otherwise asyncio's: the
    gateway's own instructions per 1-row request fell by a quarter with it (valgrind)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


if __name__ == "__main__":
    main()
