"""The gateway's request reader on bytes alone (no server): heads before bodies, bounds, errors."""

from __future__ import annotations

import asyncio

import pytest

from mlops.online import http11


class Transport(asyncio.Transport):
    """Stands for a client connection: keeps what is written and whether reading is paused."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.paused = False
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(bytes(data))

    def writelines(self, data) -> None:
        self.written.extend(map(bytes, data))

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def connected(data: bytes = b"", *, eof: bool = False) -> http11.Connection:
    """A connection whose client has sent `data` (and closed its side with `eof`)."""
    connection = http11.Connection()
    connection.connection_made(Transport())
    if data:
        connection.data_received(data)
    if eof:
        connection.eof_received()
    return connection


def read(data: bytes, *, eof: bool = True, with_body: bool = True):
    """The first request read from `data`: (request, body) or the HttpError raised."""

    async def run():
        connection = connected(data, eof=eof)
        sent: list[bytes] = []

        async def send_continue() -> None:
            sent.append(b"100")

        try:
            request = await connection.next_request()
            if not with_body:
                return request, None, sent
            return request, await connection.read_body(request, send_continue), sent
        except http11.HttpError as error:
            return error, None, sent

    return asyncio.run(run())


def test_the_head_is_handed_over_before_the_body_is_read() -> None:
    request, body, _ = read(
        b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", eof=False, with_body=False
    )

    assert (request.method, request.target, request.complete) == (b"POST", b"/score", False)
    assert body is None


def test_a_chunked_body_is_joined() -> None:
    _request, body, _ = read(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )

    assert body == b"abcde"


def test_100_continue_is_sent_when_the_body_is_wanted_and_not_yet_sent() -> None:
    async def run() -> tuple[list[bytes], bytes]:
        connection = connected(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        )
        sent: list[bytes] = []

        async def send_continue() -> None:
            sent.append(b"100")
            connection.data_received(b"ok")

        request = await connection.next_request()
        assert sent == []
        return sent, await connection.read_body(request, send_continue)

    assert asyncio.run(run()) == ([b"100"], b"ok")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/1.1\nHost: x\n\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nExpect: nothing\r\n\r\n", 417),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * http11.MAX_HEAD_BYTES + b"\r\n\r\n", 431),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(http11.MAX_HEADERS + 1))
            + b"\r\n",
            431,
        ),
        (b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", 400),
    ],
)
def test_a_broken_request_gets_its_status(data: bytes, status: int) -> None:
    error, _body, _sent = read(data)

    assert isinstance(error, http11.HttpError) and error.status == status


def test_a_body_over_the_bound_is_413_and_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http11, "MAX_BODY_BYTES", 10)
    error, _body, _sent = read(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
    )

    assert isinstance(error, http11.HttpError) and error.status == 413


def test_a_request_before_a_broken_one_is_still_served() -> None:
    request, body, _ = read(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nokGARBAGE\r\n\r\n"
    )

    assert (request.target, body) == (b"/", b"ok")


def test_reading_pauses_while_no_request_is_waited_for() -> None:
    async def run() -> tuple[bool, bool, bytes]:
        connection = connected(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
        transport = connection.transport
        request = await connection.next_request()
        paused_at_head = transport.paused
        reading = asyncio.ensure_future(connection.read_body(request, None))
        await asyncio.sleep(0)
        resumed = not transport.paused
        connection.data_received(b"cd")
        return paused_at_head, resumed, await reading

    assert asyncio.run(run()) == (True, True, b"abcd")


@pytest.mark.parametrize(("data", "raised"), [(b"", http11.ClientGone), (b"GET / HT", 408)])
def test_a_head_that_does_not_come_in_time_ends_the_connection(
    monkeypatch: pytest.MonkeyPatch, data: bytes, raised
) -> None:
    monkeypatch.setattr(http11, "HEAD_SECONDS", 0.05)

    async def run():
        try:
            return await connected(data).next_request()
        except http11.HttpError as error:
            return error.status
        except http11.ClientGone as error:
            return type(error)

    assert asyncio.run(run()) == raised
