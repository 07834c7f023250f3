"""The server side of the gateway: requests to a deployment's inference server over kept
connections to its Unix socket, and their answers, parsed with llhttp (httptools).

The server's workers keep a connection open between requests, one connection each
(serverside/mlops_worker.py), so a deployment's Pool opens at most one connection per worker and
reuses it; a request beyond them waits here for a free one, as it would have waited in the
server's listen queue. Opening a connection per request cost about half of the gateway's CPU.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

import httptools

# Hop-by-hop headers (RFC 9110 7.6.1) and framing, which the gateway sets itself; the key,
# which the model has no use for and should never log.
_NOT_FORWARDED = {
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"expect",
    b"content-length",
    b"authorization",
}
_READ_BYTES = 256 * 1024
# The server's header lines not sent on: framing and the connection are the gateway's own. Each is
# looked for as CRLF, its lower-case name and a colon (RFC 9112 allows no space before it).
_NOT_RETURNED = (b"\r\nconnection:", b"\r\nkeep-alive:", b"\r\ntransfer-encoding:")
_LENGTH = b"\r\ncontent-length:"


class UpstreamUnreachable(Exception):
    """The deployment's socket does not accept connections (its server is gone or restarting)."""


class UpstreamBroken(Exception):
    """The server closed the connection or sent something that is not an HTTP response.

    `silent` when not one byte came back: a server that stops closes the connections still
    waiting in its listen queue that way, without having read them.
    """

    def __init__(self, message: str, *, silent: bool = False) -> None:
        super().__init__(message)
        self.silent = silent


@dataclass(frozen=True, slots=True)
class Response:
    """The server's final answer; `fields` are its header lines as it sent them (each ending in
    CRLF), less the ones the gateway sets itself."""

    status: int
    fields: bytes
    body: bytes
    length: int | None
    keep_alive: bool


class _Parsed:
    """httptools callbacks collecting the first final (non-1xx) response.

    The head is taken whole from the bytes received, not header by header: a callback per header
    and a list of pairs cost more than the rest of the answer's parsing, and the gateway sends the
    server's header lines on as they are.
    """

    def __init__(self, head_only: bool) -> None:
        self.head_only = head_only
        self.final: Response | None = None
        self.parser = httptools.HttpResponseParser(self)
        self._received = b""  # up to the final response's head
        self._heads = 0
        self._status = 0
        self._head: bytes | None = None
        self._chunks: list[bytes] = []

    def feed(self, data: bytes) -> None:
        """Parse bytes from the server.

        Raises:
            httptools.HttpParserError: They are not an HTTP/1.1 response.
        """
        if self._head is None:
            self._received += data
        self.parser.feed_data(data)

    def end_of_stream(self) -> None:
        """The server closed: a final response without a declared length ends here."""
        if self.final is None and self._head is not None:
            head = self._head.lower()
            if _LENGTH not in head and b"\r\ntransfer-encoding:" not in head:
                self._finish()

    def on_headers_complete(self) -> None:
        self._heads += 1
        self._status = self.parser.get_status_code()
        if self._status < 200:
            return
        # A 1xx answer is a head alone: the final head is the one after as many of them.
        start = 0
        for _ in range(self._heads - 1):
            start = self._received.index(b"\r\n\r\n", start) + 4
        self._head = self._received[start : self._received.index(b"\r\n\r\n", start) + 4]
        self._received = b""
        if self.head_only:
            self._finish()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self._status >= 200 and self.final is None:
            self._finish()

    def _finish(self) -> None:
        head = self._head or b""
        fields = head[head.find(b"\r\n") + 2 : -2]
        lines = _Lines(fields)
        length = lines.value(_LENGTH)
        self.final = Response(
            status=self._status,
            fields=lines.without((*_NOT_RETURNED, _LENGTH)),
            body=b"".join(self._chunks),
            length=int(length) if length is not None and length.isdigit() else None,
            # A HEAD answer's length is not followed by a body: the parser cannot go on after it.
            keep_alive=not self.head_only and self.parser.should_keep_alive(),
        )


class _Lines:
    """Header lines as received (each ending in CRLF), searched by lower-case name with bytes.find:
    a regular expression over them cost a tenth of the gateway's instructions per request."""

    def __init__(self, fields: bytes) -> None:
        self.fields = fields
        # A CRLF in front, so that every line starts after one, at the same offset as in fields.
        self.lower = b"\r\n" + fields.lower()

    def _spans(self, start: bytes) -> list[tuple[int, int]]:
        """(start, end) in `fields` of each line starting with `start` (CRLF, name, colon)."""
        lower, spans = self.lower, []
        found = lower.find(start)
        while found >= 0:
            end = lower.find(b"\r\n", found + 2)
            spans.append((found, end))
            found = lower.find(start, end)
        return spans

    def value(self, start: bytes) -> bytes | None:
        """The first value of the header whose lines start with `start`, or None."""
        spans = self._spans(start)
        return self.fields[spans[0][0] + len(start) - 2 : spans[0][1]].strip() if spans else None

    def without(self, starts: tuple[bytes, ...]) -> bytes:
        """The lines, less the ones starting with any of `starts`."""
        cuts = [span for start in starts for span in self._spans(start)]
        if not cuts:
            return self.fields
        kept, last = [], 0
        for found, end in sorted(cuts):
            kept.append(self.fields[last:found])
            last = end
        kept.append(self.fields[last:])
        return b"".join(kept)


def encode_request(method: bytes, target: bytes, headers, body: bytes) -> tuple[bytes, bytes]:
    """The request as the server gets it: end-to-end headers and the exact length; its head and
    its body, written together without copying the body to join them."""
    lines = [method + b" " + target + b" HTTP/1.1"]
    lines += [k + b": " + v for k, v in headers if k.lower() not in _NOT_FORWARDED]
    lines.append(b"Content-Length: %d\r\n\r\n" % len(body))
    return b"\r\n".join(lines), body


class _Connection(asyncio.Protocol):
    """One connection to the server, carrying one request at a time."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._parsed: _Parsed | None = None
        self._waiter: asyncio.Future[Response] | None = None
        self._received = 0

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport
        self._loop = asyncio.get_running_loop()  # looked up once: each lookup is a getpid()

    async def exchange(self, payload: tuple[bytes, bytes], head_only: bool) -> Response:
        assert self.transport is not None
        self._parsed = _Parsed(head_only)
        self._received = 0
        self._waiter = self._loop.create_future()
        self.transport.writelines(payload)
        try:
            return await self._waiter
        finally:
            self._parsed = self._waiter = None

    def data_received(self, data: bytes) -> None:
        parsed, waiter = self._parsed, self._waiter
        if parsed is None or waiter is None or waiter.done():
            self.close()  # bytes nobody asked for: the connection cannot be trusted any more
            return
        self._received += len(data)
        try:
            parsed.feed(data)
        except httptools.HttpParserError as error:
            waiter.set_exception(UpstreamBroken(str(error)))
            self.close()
            return
        if parsed.final is not None:
            waiter.set_result(parsed.final)

    def eof_received(self) -> bool:
        if self._parsed is not None:
            self._parsed.end_of_stream()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, parsed = self._waiter, self._parsed
        if waiter is not None and not waiter.done():
            if parsed is not None and parsed.final is not None:
                waiter.set_result(parsed.final)
            else:
                waiter.set_exception(
                    UpstreamBroken(
                        "the server closed the connection before answering",
                        silent=self._received == 0,
                    )
                )
        self.pool.lost(self)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Pool:
    """The gateway's connections to one server: at most `size`, kept between requests."""

    def __init__(self, socket_path: str, size: int) -> None:
        self.socket_path = socket_path
        self.size = max(1, size)
        self.retired = False
        self._idle: list[_Connection] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def exchange(self, payload: tuple[bytes, bytes], *, head_only: bool) -> Response:
        """Send one encoded request; return the server's final response.

        A kept connection the server closed just as the request went out (it closes idle ones)
        has not read it: the request is sent again, once, on a new connection.

        Raises:
            UpstreamUnreachable: Nothing listens on the socket (safe to send elsewhere).
            UpstreamBroken: The connection broke before a whole response came back.
        """
        fresh = False
        while True:
            connection, reused = await self._acquire(fresh)
            keep = False
            try:
                response = await connection.exchange(payload, head_only)
                keep = response.keep_alive
                return response
            except UpstreamBroken as error:
                if not (reused and error.silent) or fresh:
                    raise
                fresh = True
            finally:
                self._release(connection, keep)

    def retire(self) -> None:
        """The server is being replaced: close what is idle, keep nothing from now on."""
        self.retired = True
        for connection in list(self._idle):
            connection.close()

    def lost(self, connection: _Connection) -> None:
        """A connection closed; an idle one leaves the pool here, a busy one on release."""
        if connection in self._idle:
            self._idle.remove(connection)
            self._open -= 1
            self._wake()

    async def _acquire(self, fresh: bool) -> tuple[_Connection, bool]:
        while True:
            if fresh and self._idle and self._open >= self.size:
                self._idle[0].close()  # make room for a new connection
            while self._idle and not fresh:
                connection = self._idle.pop()
                if not connection.closed:
                    return connection, True
                self._open -= 1
            if self._open < self.size:
                self._open += 1
                try:
                    _, connection = await asyncio.get_running_loop().create_unix_connection(
                        lambda: _Connection(self), self.socket_path
                    )
                except (FileNotFoundError, ConnectionRefusedError) as error:
                    self._open -= 1
                    self._wake()
                    raise UpstreamUnreachable(str(error)) from None
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
                return connection, False
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._wake()  # pass the turn on
                raise

    def _release(self, connection: _Connection, keep: bool) -> None:
        if keep and not connection.closed and not self.retired:
            self._idle.append(connection)
        else:
            connection.close()
            self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
