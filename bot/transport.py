"""The bot's HTTP to the Bot API: JSON bodies on kept-alive HTTP/1.1 connections.

Why not PTB's default (httpx): on the bench's realistic dialog (bench/README.md, "6
December") more than half of the bot's CPU per update was spent in sending, and most of
that in httpx and httpcore — building a request model, cookies, auth and redirect hooks,
a pure-Python HTTP parser — for two requests an update (the answer and ``getUpdates``)
whose shape never changes. This transport writes the request line and a JSON body
(the Bot API takes ``application/json`` for every method without an upload) straight
onto an asyncio stream and reads the status, the headers it needs and the body: a
fraction of the CPU for the same bytes on the wire.

What it does not do is sent to PTB's ``HTTPXRequest`` unchanged: uploads (multipart)
and downloads (``GET`` of a file). Proxies are not supported; Kvitt configures none.

Connections: at most ``pool_size`` open to the Bot API, reused newest first. One idle
for longer than ``IDLE_SECONDS`` (below the keep-alive time servers commonly allow), or
closed by the server while idle, is not reused. A request that fails on a connection is
never sent again here: whether Telegram acted on it cannot be known, so the error goes
to PTB as ``NetworkError``/``TimedOut`` (Kvitt's error handler then tells the person),
exactly as with httpx.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

IDLE_SECONDS = 30.0
USER_AGENT = "Kvitt (python-telegram-bot; bot/transport.py)"


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    used: float = field(default_factory=time.monotonic)

    def fresh(self, now: float) -> bool:
        return (now - self.used < IDLE_SECONDS and not self.reader.at_eof()
                and not self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


@dataclass(frozen=True, slots=True)
class _Target:
    host: str
    port: int
    tls: bool
    path: str


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.hostname or "", parts.port or (443 if tls else 80), tls, path or "/")


class BotApiTransport(BaseRequest):
    """PTB's request interface over raw HTTP/1.1 with JSON bodies; see the module docstring."""

    def __init__(self, *, pool_size: int = 8, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, tls: ssl.SSLContext | None = None) -> None:
        """``tls``: the context for ``https`` (default: Mozilla's roots from ``certifi``)."""
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._slots = asyncio.BoundedSemaphore(pool_size)
        self._idle: dict[tuple[str, int, bool], list[_Connection]] = {}
        self._targets: dict[str, _Target] = {}
        self._tls = tls
        # uploads and downloads: PTB's own client, same timeouts
        self._files = HTTPXRequest(connection_pool_size=max(1, pool_size // 2),
                                   read_timeout=read_timeout, write_timeout=write_timeout,
                                   connect_timeout=connect_timeout, pool_timeout=pool_timeout)

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long poll's length for ``getUpdates``)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the upload client; Bot API connections open when first needed."""
        await self._files.initialize()

    async def shutdown(self) -> None:
        """Close every idle connection and the upload client."""
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
        await self._files.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """POST the parameters as JSON; anything with files, or a GET, goes to httpx."""
        if method != "POST" or (request_data is not None and request_data.contains_files):
            return await self._files.do_request(url, method, request_data, read_timeout,
                                                write_timeout, connect_timeout, pool_timeout)
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = _target(url)
        body = b"" if request_data is None else json.dumps(
            request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode()
        head = (f"POST {target.path} HTTP/1.1\r\nHost: {target.host}\r\n"
                f"User-Agent: {USER_AGENT}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        timeouts = (self._given(pool_timeout, self._pool_timeout),
                    self._given(connect_timeout, self._connect_timeout),
                    self._given(write_timeout, self._write_timeout),
                    self._given(read_timeout, self._read_timeout))
        try:
            async with asyncio.timeout(timeouts[0]):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut("Pool timeout: every connection to the Bot API is busy; the "
                           "request was not sent.") from exc
        try:
            return await self._exchange(target, head + body, timeouts)
        finally:
            self._slots.release()

    @staticmethod
    def _given(value: Any, default: float | None) -> float | None:
        return default if isinstance(value, DefaultValue) else value

    async def _exchange(self, target: _Target, request: bytes,
                        timeouts: tuple[float | None, ...]) -> tuple[int, bytes]:
        conn = None
        try:
            conn = await self._connection(target, timeouts[1])
            conn.writer.write(request)
            async with asyncio.timeout(timeouts[2]):
                await conn.writer.drain()
            async with asyncio.timeout(timeouts[3]):
                status, body, keep = await _response(conn.reader)
        except BaseException as exc:
            # a connection left mid-answer (an error, or the task cancelled at shutdown)
            # can never be reused: its next bytes would be this answer's rest
            if conn is not None:
                conn.close()
            if isinstance(exc, TimeoutError):
                raise TimedOut() from exc
            if isinstance(exc, OSError | asyncio.IncompleteReadError
                          | asyncio.LimitOverrunError | ValueError):
                raise NetworkError(f"Bot API connection: {type(exc).__name__}: {exc}"
                                   ) from exc
            raise
        if keep:
            conn.used = time.monotonic()
            self._idle.setdefault((target.host, target.port, target.tls), []).append(conn)
        else:
            conn.close()
        return status, body

    async def _connection(self, target: _Target, connect_timeout: float | None) -> _Connection:
        idle = self._idle.get((target.host, target.port, target.tls))
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.fresh(now):
                return conn
            conn.close()
        tls = None
        if target.tls:
            if self._tls is None:  # the roots httpx trusted: the same on every machine
                self._tls = ssl.create_default_context(cafile=certifi.where())
            tls = self._tls
        async with asyncio.timeout(connect_timeout):
            reader, writer = await asyncio.open_connection(
                target.host, target.port, ssl=tls,
                server_hostname=target.host if tls else None, limit=2**20)
        return _Connection(reader, writer)


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the connection may be reused, of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1 response: {lines[0][:40]!r}")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    keep = (headers.get("connection", "").lower() != "close"
            and not version.endswith("1.0"))
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
            if size == 0:
                await _skip_trailers(reader)
                break
            parts.append((await reader.readexactly(size + 2))[:-2])
        return status, b"".join(parts), keep
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"])), keep
    return status, await reader.read(), False  # until the server closes


async def _skip_trailers(reader: asyncio.StreamReader) -> None:
    """Read a chunked body's trailer lines (the Bot API sends none) up to the blank line."""
    line = await reader.readuntil(b"\r\n")
    while line != b"\r\n":
        line = await reader.readuntil(b"\r\n")
