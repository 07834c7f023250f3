"""The server side of the gateway: one request to a deployment's inference server over its Unix
socket, and its answer, parsed with llhttp (httptools).

The server runs gunicorn's sync workers, which close every connection after one response, so
each request opens its own connection (cheap on a Unix socket) and asks for `Connection: close`.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

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
_NOT_RETURNED = {b"connection", b"keep-alive", b"transfer-encoding", b"content-length"}


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


@dataclass
class Response:
    """The server's final answer."""

    status: int = 0
    reason: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    length: int | None = None
    complete: bool = False


class _Parsed:
    """httptools callbacks collecting the first final (non-1xx) response."""

    def __init__(self, head_only: bool) -> None:
        self.head_only = head_only
        self.current = Response()
        self.final: Response | None = None
        self.parser = httptools.HttpResponseParser(self)
        self._chunks: list[bytes] = []
        self.head_done = False

    def end_of_stream(self) -> None:
        """The server closed: a final response without a declared length ends here."""
        names = {k.lower() for k, _ in self.current.headers}
        framed = names & {b"content-length", b"transfer-encoding"}
        if self.final is None and self.head_done and self.current.status >= 200 and not framed:
            self._finish()

    def on_status(self, reason: bytes) -> None:
        self.current.reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self.current.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.current.status = self.parser.get_status_code()
        self.head_done = True
        if self.head_only and self.current.status >= 200:
            self._finish()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self.current.status >= 200 and self.final is None:
            self._finish()
        elif self.final is None:
            self.current = Response()

    def _finish(self) -> None:
        response = self.current
        response.body = b"".join(self._chunks)
        response.complete = True
        for name, value in response.headers:
            if name.lower() == b"content-length" and value.isdigit():
                response.length = int(value)
        response.headers = [(k, v) for k, v in response.headers if k.lower() not in _NOT_RETURNED]
        self.final = response


def encode_request(method: bytes, target: bytes, headers, body: bytes) -> bytes:
    """The request as the server gets it: end-to-end headers, exact length, no keep-alive."""
    lines = [method + b" " + target + b" HTTP/1.1"]
    lines += [k + b": " + v for k, v in headers if k.lower() not in _NOT_FORWARDED]
    lines += [b"Content-Length: %d" % len(body), b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def exchange(socket_path: str, payload: bytes, *, head_only: bool) -> Response:
    """Send one encoded request; return the server's final response.

    The loop's socket calls are used rather than a transport and streams: this runs for every
    request, and they cost half as much CPU here (about 170 vs 300 microseconds).

    Raises:
        UpstreamUnreachable: Nothing listens on the socket (safe to send elsewhere).
        UpstreamBroken: The connection broke before a whole response came back.
    """
    loop = asyncio.get_running_loop()
    parsed = _Parsed(head_only)
    received = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.setblocking(False)
        try:
            await loop.sock_connect(connection, socket_path)
        except (FileNotFoundError, ConnectionRefusedError) as error:
            raise UpstreamUnreachable(str(error)) from None
        try:
            await loop.sock_sendall(connection, payload)
            while parsed.final is None:
                data = await loop.sock_recv(connection, _READ_BYTES)
                received += len(data)
                if not data:
                    parsed.end_of_stream()
                    break
                parsed.parser.feed_data(data)
        except (ConnectionError, httptools.HttpParserError) as error:
            silent = received == 0 and isinstance(error, ConnectionError)
            raise UpstreamBroken(str(error), silent=silent) from None
    if parsed.final is None:
        raise UpstreamBroken(
            "the server closed the connection before answering", silent=received == 0
        )
    return parsed.final
