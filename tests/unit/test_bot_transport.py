"""``bot.transport``: the Bot API over raw HTTP/1.1, against small servers on 127.0.0.1.

Each server here answers as a real one may (a kept-alive connection, a chunked body, a
``Connection: close``, an idle connection dropped, no answer at all), and the test checks
what PTB gets back: the status and body, or ``TimedOut``/``NetworkError``. The whole bot
over this transport runs in the end-to-end tests (tests/e2e) against the local Bot API
endpoint.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trustme
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport import BotApiTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, dict[str, Any]],
                   Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    lines = head.split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return lines[0], headers, body


def ok(result: Any, *extra: str) -> bytes:
    body = json.dumps({"ok": True, "result": result}).encode()
    head = "".join(f"{h}\r\n" for h in extra)
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body


@asynccontextmanager
async def serving(handler: Handler, tls: ssl.SSLContext | None = None
                  ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    seen: dict[str, Any] = {"connections": 0, "requests": []}

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen["connections"] += 1
        try:
            await handler(reader, writer, seen)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}/bot123:ABC", seen
    finally:
        server.close()


def params(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     seen: dict[str, Any]) -> None:
    while True:
        line, headers, body = await read_request(reader)
        seen["requests"].append((line, headers, body))
        writer.write(ok({"message_id": len(seen["requests"])}))
        await writer.drain()


async def test_parameters_go_as_one_json_body_and_the_connection_is_kept():
    transport = BotApiTransport()
    await transport.initialize()
    markup = {"inline_keyboard": [[{"text": "Bodø ✓", "callback_data": "3:b"}]]}
    async with serving(keep_alive) as (url, seen):
        for _ in range(3):
            status, body = await transport.do_request(
                f"{url}/sendMessage", "POST",
                params(chat_id=42, text="Lagret: 1 234,50 kr — Tromsø", reply_markup=markup))
            assert status == 200 and json.loads(body)["ok"] is True
    await transport.shutdown()
    assert seen["connections"] == 1
    line, headers, body = seen["requests"][0]
    assert line == "POST /bot123:ABC/sendMessage HTTP/1.1"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"chat_id": 42, "text": "Lagret: 1 234,50 kr — Tromsø",
                                "reply_markup": markup}


async def test_a_chunked_body_is_joined():
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      seen: dict[str, Any]) -> None:
        await read_request(reader)
        payload = json.dumps({"ok": True, "result": True}).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 5]), payload[i:i + 5])
                                for i in range(0, len(payload), 5)) + b"0\r\n\r\n")
        await writer.drain()
        await reader.read()

    transport = BotApiTransport()
    async with serving(chunked) as (url, _):
        status, body = await transport.do_request(f"{url}/getMe", "POST")
    await transport.shutdown()
    assert status == 200 and json.loads(body) == {"ok": True, "result": True}


@pytest.mark.parametrize("how", ["connection-close header", "closed while idle"])
async def test_a_connection_the_server_ends_is_not_used_again(how: str):
    async def one_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         seen: dict[str, Any]) -> None:
        await read_request(reader)
        seen["requests"].append(1)
        extra = ("Connection: close",) if how == "connection-close header" else ()
        writer.write(ok(True, *extra))
        await writer.drain()
        # and the server closes: with notice, or as an idle timeout would

    transport = BotApiTransport()
    async with serving(one_answer) as (url, seen):
        for _ in range(3):
            status, _body = await transport.do_request(f"{url}/getMe", "POST")
            assert status == 200
            await asyncio.sleep(0.05)  # the server's close reaches us
    await transport.shutdown()
    assert seen["connections"] == 3 and len(seen["requests"]) == 3


async def test_an_error_status_and_its_body_reach_ptb():
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     seen: dict[str, Any]) -> None:
        await read_request(reader)
        body = b'{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}'
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))
        await writer.drain()

    transport = BotApiTransport()
    async with serving(refuse) as (url, _):
        status, body = await transport.do_request(f"{url}/sendMessage", "POST",
                                                  params(chat_id=1, text="x"))
    await transport.shutdown()
    assert status == 400 and b"chat not found" in body


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 seen: dict[str, Any]) -> None:
    await read_request(reader)
    await asyncio.sleep(5)


async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  seen: dict[str, Any]) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":")
    await writer.drain()


@pytest.mark.parametrize(("server", "error"), [(silent, TimedOut), (hang_up, NetworkError)],
                         ids=["no answer within the read timeout", "hung up mid-answer"])
async def test_a_server_that_fails_mid_request_is_ptbs_error(server: Handler,
                                                              error: type[Exception]):
    transport = BotApiTransport(read_timeout=0.2)
    async with serving(server) as (url, _):
        with pytest.raises(error):
            await transport.do_request(f"{url}/getMe", "POST")
    await transport.shutdown()


async def test_nobody_listening_is_a_network_error():
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    transport = BotApiTransport()
    with pytest.raises(NetworkError):
        await transport.do_request(f"http://127.0.0.1:{port}/bot1:A/getMe", "POST")
    await transport.shutdown()


async def test_every_connection_busy_is_a_pool_timeout_and_nothing_is_sent():
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   seen: dict[str, Any]) -> None:
        await read_request(reader)
        seen["requests"].append(1)
        await asyncio.sleep(0.5)
        writer.write(ok(True))
        await writer.drain()

    transport = BotApiTransport(pool_size=1, pool_timeout=0.1)
    async with serving(slow) as (url, seen):
        first = asyncio.ensure_future(transport.do_request(f"{url}/getMe", "POST"))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut, match="not sent"):
            await transport.do_request(f"{url}/getMe", "POST")
        assert (await first)[0] == 200
    await transport.shutdown()
    assert len(seen["requests"]) == 1



async def test_https_is_verified_against_the_trusted_roots():
    """As to api.telegram.org: TLS with the name checked; a stranger's certificate refused."""
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    async with serving(keep_alive, tls=server_tls) as (url, seen):
        transport = BotApiTransport(tls=trusting)
        for _ in range(2):
            status, body = await transport.do_request(f"{url}/getMe", "POST")
            assert status == 200 and json.loads(body)["ok"] is True
        await transport.shutdown()
        assert seen["connections"] == 1
        stranger = BotApiTransport()  # the default roots do not know this authority
        with pytest.raises(NetworkError):
            await stranger.do_request(f"{url}/getMe", "POST")
        await stranger.shutdown()
