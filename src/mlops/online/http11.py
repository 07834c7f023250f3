"""The client side of the gateway: HTTP/1.1 requests read with llhttp (httptools), within bounds.

A request's head is read first and handed over before any of its body is read, so the key, the
route and the pending limit are checked on the headers alone. Every read has a deadline. A
request breaking HTTP/1.1 (RFC 9112) raises HttpError with the status to answer; the connection
is then closed. Bodies may come with Content-Length or chunked; `Expect: 100-continue` is
answered when the body is wanted, never before.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httptools

# Bounds, documented in docs/deploy_locally.md ("Limits").
MAX_HEAD_BYTES = 16 * 1024
MAX_HEADERS = 100
MAX_BODY_BYTES = 32 * 1024 * 1024
HEAD_SECONDS = 10.0
BODY_SECONDS = 15.0

REASONS = {
    100: b"Continue",
    200: b"OK",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
    408: b"Request Timeout",
    413: b"Content Too Large",
    417: b"Expectation Failed",
    424: b"Failed Dependency",
    429: b"Too Many Requests",
    431: b"Request Header Fields Too Large",
    502: b"Bad Gateway",
}


class HttpError(Exception):
    """The request cannot be served; answer `status` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The client closed the connection or went silent between requests."""


@dataclass(slots=True)
class Request:
    """One request: its head, and its body once read."""

    method: bytes = b""
    target: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    # The first value of each header by its lower-case name, and how many Host headers came:
    # looked up several times a request, so made once as the headers are parsed.
    fields: dict[bytes, bytes] = field(default_factory=dict)
    hosts: int = 0
    keep_alive: bool = True
    expects_continue: bool = False
    body: bytes = b""
    head_done: bool = False
    complete: bool = False
    too_large: bool = False
    head_size: int = 0
    error: HttpError | None = None
    _chunks: list[bytes] = field(default_factory=list)
    _size: int = 0

    def header(self, name: bytes) -> bytes | None:
        """The first value of a header (name in lower case), or None."""
        return self.fields.get(name)


class Connection(asyncio.Protocol):
    """One client connection: reads its requests, one at a time, within the bounds above, and
    writes the answers.

    The bytes are handed to the parser as they arrive (no stream buffer in between), but only
    while a request's head or body is being waited for: otherwise reading pauses, so a client
    never gets more than one read ahead of the gateway (its body is not read before its key is
    checked). Deadlines share one timer per connection, re-armed only when it fires: arming one
    per read cost more than the rest of the read.
    """

    def __init__(self, serve: Callable[[Connection], Awaitable[None]] | None = None) -> None:
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task[None] | None = None
        self._serve = serve
        self._parser = httptools.HttpRequestParser(self)
        self._requests: deque[Request] = deque()
        self._head_bytes = 0
        self._broken: HttpError | None = None
        self._ended = False
        self._waiter: asyncio.Future[None] | None = None
        self._ready: Callable[[], bool] = _never
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._paused = False
        self._drained: asyncio.Future[None] | None = None

    # asyncio.Protocol
    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport
        self._loop = asyncio.get_running_loop()  # looked up once: each lookup is a getpid()
        if self._serve is not None:
            self.task = asyncio.ensure_future(self._serve(self))

    def data_received(self, data: bytes) -> None:
        self._feed(data)
        waiter = self._waiter
        if waiter is None:
            self._pause()
        elif (self._broken or self._ready()) and not waiter.done():
            waiter.set_result(None)

    def eof_received(self) -> bool:
        self._end()
        return True  # keep the connection open to answer what has been read

    def connection_lost(self, exc: Exception | None) -> None:
        self._end()
        if self._timer is not None:
            self._timer.cancel()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)  # the next write finds the connection closed

    def pause_writing(self) -> None:
        self._drained = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    # The gateway's side
    async def next_request(self) -> Request:
        """The next request's head (its body is not read yet).

        Raises:
            ClientGone: The connection ended, or stayed idle past HEAD_SECONDS, between requests.
            HttpError: The head is malformed, too large or too slow.
        """
        requests = self._requests
        if not (requests and requests[0].head_done):
            try:
                await self._until(self._head_ready, HEAD_SECONDS)
            except TimeoutError:
                if requests or self._head_bytes > 0:
                    raise HttpError(408, "the request's headers did not arrive in time") from None
                raise ClientGone from None
            if not (requests and requests[0].head_done):
                if self._broken:
                    raise self._broken
                raise ClientGone
        request = requests[0]
        if request.error:
            raise request.error
        return request

    async def read_body(self, request: Request, send_continue) -> bytes:
        """Read the body of the request `next_request` returned; then it is done with.

        Raises:
            HttpError: The body is over MAX_BODY_BYTES (413), too slow (408) or malformed (400).
            ClientGone: The client closed the connection mid-body.
        """
        if request.expects_continue and not request.complete:
            await send_continue()
        if not request.complete:
            try:
                await self._until(lambda: request.complete or request.too_large, BODY_SECONDS)
            except TimeoutError:
                raise HttpError(408, "the request's body did not arrive in time") from None
        if request.too_large:
            raise HttpError(413, f"the body is over {MAX_BODY_BYTES} bytes")
        if not request.complete:
            if self._broken:
                raise self._broken
            raise ClientGone
        self.finish(request)
        request.body = b"".join(request._chunks)
        request._chunks.clear()
        return request.body

    def finish(self, request: Request) -> None:
        """Be done with a request once it is answered, whether its body was read or not (a
        request answered before its body came must close the connection)."""
        if self._requests and self._requests[0] is request:
            self._requests.popleft()

    def write(self, data: bytes, body: bytes = b"") -> None:
        """Send `data`, then `body`, in one system call (the body is not copied to be joined).

        Raises:
            ClientGone: The connection is closed.
        """
        if self.transport is None or self.transport.is_closing():
            raise ClientGone
        if body:
            self.transport.writelines((data, body))
        else:
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait, within HEAD_SECONDS, until a client reading slowly has taken what was written.

        Raises:
            ClientGone: The connection closed first.
        """
        if self._drained is not None:
            async with asyncio.timeout(HEAD_SECONDS):
                await self._drained

    def close(self) -> None:
        """Close the connection once what was written is sent."""
        if self.transport is not None:
            self.transport.close()

    async def _until(self, ready: Callable[[], bool], seconds: float) -> None:
        """Read until `ready()`, the request is broken or the connection ends.

        Raises:
            TimeoutError: `seconds` passed first.
        """
        if self._broken or self._ended or ready():
            return
        loop = self._loop
        self._deadline = deadline = loop.time() + seconds
        if self._timer is None or self._timer.when() > deadline:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_at(deadline, self._expire)
        self._ready = ready
        self._waiter = loop.create_future()
        if self._paused:
            self._paused = False
            self.transport.resume_reading()  # type: ignore[union-attr]
        try:
            await self._waiter
        finally:
            self._waiter = None
            self._ready = _never

    def _expire(self) -> None:
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        loop = self._loop
        if loop.time() >= self._deadline:
            waiter.set_exception(TimeoutError())
        else:
            self._timer = loop.call_at(self._deadline, self._expire)

    def _pause(self) -> None:
        if not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def _end(self) -> None:
        self._ended = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _head_ready(self) -> bool:
        return bool(self._requests) and self._requests[0].head_done

    def _feed(self, data: bytes) -> None:
        if not (self._requests and self._requests[-1].head_done):
            self._head_bytes += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # llhttp stops at the headers of an upgrade, so that request is refused too.
            self._broken = HttpError(400, "protocol upgrades (Upgrade, CONNECT) are not supported")
            if self._requests:
                self._requests[-1].error = self._broken
        except httptools.HttpParserError as error:
            self._broken = HttpError(400, f"malformed request: {error}")
        if self._head_bytes > MAX_HEAD_BYTES and not self._broken:
            self._broken = HttpError(431, f"the request head is over {MAX_HEAD_BYTES} bytes")
        if self._broken and self._requests and not self._requests[-1].head_done:
            # A request cut short in its head is no request; the ones before it still count.
            self._requests.pop()

    # httptools callbacks
    def on_message_begin(self) -> None:
        self._requests.append(Request())

    def on_url(self, url: bytes) -> None:
        request = self._requests[-1]
        request.target += url
        request.head_size += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        request = self._requests[-1]
        request.headers.append((name, value))
        key = name.lower()
        if key not in request.fields:
            request.fields[key] = value
        if key == b"host":
            request.hosts += 1
        request.head_size += len(name) + len(value) + 4

    def on_headers_complete(self) -> None:
        request = self._requests[-1]
        request.head_done = True
        request.method = self._parser.get_method()
        request.keep_alive = self._parser.should_keep_alive()
        self._head_bytes = 0
        version = self._parser.get_http_version()
        expect = request.header(b"expect")
        if request.head_size > MAX_HEAD_BYTES:
            request.error = HttpError(431, f"the request head is over {MAX_HEAD_BYTES} bytes")
        elif len(request.headers) > MAX_HEADERS:
            request.error = HttpError(431, f"more than {MAX_HEADERS} header fields")
        elif version not in ("1.0", "1.1"):
            request.error = HttpError(400, f"HTTP/{version} is not supported; use HTTP/1.1")
        elif version == "1.1" and request.hosts != 1:
            request.error = HttpError(400, "an HTTP/1.1 request needs exactly one Host header")
        elif not request.target.startswith(b"/"):
            request.error = HttpError(400, "the request target must be a path, like /score")
        elif expect is not None and expect.lower() != b"100-continue":
            request.error = HttpError(417, "the only expectation supported is 100-continue")
        request.expects_continue = version == "1.1" and expect is not None

    def on_body(self, body: bytes) -> None:
        request = self._requests[-1]
        request._size += len(body)
        if request._size > MAX_BODY_BYTES:
            request.too_large = True
            request._chunks.clear()
        elif not request.too_large:
            request._chunks.append(body)

    def on_message_complete(self) -> None:
        self._requests[-1].complete = True


def _never() -> bool:
    return False


def content_length(request: Request) -> int | None:
    """The declared body length (llhttp has checked it is one well-formed number), or None."""
    value = request.header(b"content-length")
    return int(value) if value is not None else None


def encode_head(
    status: int,
    headers: list[tuple[bytes, bytes]],
    length: int,
    *,
    keep_alive: bool,
    fields: bytes = b"",
) -> bytes:
    """A response's head, with its Content-Length (for HEAD, the length a GET would get).

    Args:
        fields: Header lines sent as they are (each ending in CRLF), before `headers`.
    """
    own = b"".join([name + b": " + value + b"\r\n" for name, value in headers])
    return b"HTTP/1.1 %d %s\r\n%s%sContent-Length: %d\r\nConnection: %s\r\n\r\n" % (
        status,
        REASONS.get(status, b"Status"),
        fields,
        own,
        length,
        b"keep-alive" if keep_alive else b"close",
    )
