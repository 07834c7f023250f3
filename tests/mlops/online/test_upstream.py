"""The gateway's kept connections to a server (upstream.Pool), against a tiny asyncio server on a
Unix socket that counts its connections: reuse, the cap, and a kept connection closed under it."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from mlops.online import upstream

REQUEST = upstream.encode_request(b"POST", b"/score", [(b"Host", b"x")], b"{}")


class _Server:
    """Answers every request 200 after `delay` seconds; `close_after` closes a connection after
    that many answers (as a worker does when someone else waits)."""

    def __init__(self, delay: float = 0.0, close_after: int | None = None) -> None:
        self.delay = delay
        self.close_after = close_after
        self.connections = 0
        self.busy = 0
        self.most_busy = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answered = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                await reader.readexactly(length)
                self.busy += 1
                self.most_busy = max(self.most_busy, self.busy)
                await asyncio.sleep(self.delay)
                self.busy -= 1
                answered += 1
                last = self.close_after is not None and answered >= self.close_after
                close = b"Connection: close\r\n" if last else b""
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + close + b"\r\nok")
                await writer.drain()
                if last:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _run(server: _Server, scenario) -> object:
    async def main():
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "s.sock")
            listening = await asyncio.start_unix_server(server.serve, path)
            async with listening:
                return await scenario(path)

    return asyncio.run(main())


def test_requests_one_after_another_share_one_connection() -> None:
    server = _Server()

    async def scenario(path):
        pool = upstream.Pool(path, size=2)
        return [(await pool.exchange(REQUEST, head_only=False)).body for _ in range(20)]

    assert _run(server, scenario) == [b"ok"] * 20
    assert server.connections == 1


def test_concurrent_requests_open_at_most_size_connections_and_all_get_answers() -> None:
    server = _Server(delay=0.01)

    async def scenario(path):
        pool = upstream.Pool(path, size=2)
        answers = await asyncio.gather(
            *(pool.exchange(REQUEST, head_only=False) for _ in range(12))
        )
        return [answer.status for answer in answers]

    assert _run(server, scenario) == [200] * 12
    assert server.connections == 2
    assert server.most_busy == 2


def test_a_connection_the_server_closes_is_replaced() -> None:
    server = _Server(close_after=3)

    async def scenario(path):
        pool = upstream.Pool(path, size=1)
        return [(await pool.exchange(REQUEST, head_only=False)).status for _ in range(7)]

    assert _run(server, scenario) == [200] * 7
    assert server.connections == 3


def test_a_kept_connection_closed_before_the_request_arrives_is_retried_once() -> None:
    server = _Server()

    async def scenario(path):
        pool = upstream.Pool(path, size=1)
        await pool.exchange(REQUEST, head_only=False)
        # The server drops the idle connection; the pool has not heard of it yet.
        kept = pool._idle[0]
        kept.closed = False
        kept.transport.abort()
        return (await pool.exchange(REQUEST, head_only=False)).status

    assert _run(server, scenario) == 200
    assert server.connections == 2


def test_a_request_timed_out_frees_its_place() -> None:
    server = _Server(delay=0.5)

    async def scenario(path):
        pool = upstream.Pool(path, size=1)
        try:
            async with asyncio.timeout(0.05):
                await pool.exchange(REQUEST, head_only=False)
        except TimeoutError:
            pass
        server.delay = 0
        return (await pool.exchange(REQUEST, head_only=False)).status

    assert _run(server, scenario) == 200
    assert server.connections == 2


def test_nothing_listening_is_unreachable() -> None:
    async def scenario():
        pool = upstream.Pool("/nonexistent/mlops-test.sock", size=1)
        try:
            await pool.exchange(REQUEST, head_only=False)
        except upstream.UpstreamUnreachable:
            return "unreachable"
        return "answered"

    assert asyncio.run(scenario()) == "unreachable"


def test_the_final_answer_keeps_the_servers_header_lines_but_not_its_framing() -> None:
    parsed = upstream._Parsed(head_only=False)
    parsed.feed(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 BAD REQUEST\r\nServer: gunicorn\r\n")
    parsed.feed(b"connection: keep-alive\r\nContent-Length: 4\r\nX-Id: 7\r\n\r\nno")
    unfinished = parsed.final
    parsed.feed(b"pe")

    assert unfinished is None
    assert parsed.final == upstream.Response(
        status=400,
        fields=b"Server: gunicorn\r\nX-Id: 7\r\n",
        body=b"nope",
        length=4,
        keep_alive=True,
    )


def test_a_head_answer_ends_with_its_head_and_keeps_the_length_a_get_would_get() -> None:
    parsed = upstream._Parsed(head_only=True)
    parsed.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n")

    assert parsed.final is not None
    assert (parsed.final.length, parsed.final.fields, parsed.final.body) == (
        1234,
        b"Content-Type: text/plain\r\n",
        b"",
    )
