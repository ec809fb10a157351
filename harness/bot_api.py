"""Drive a real PTB ``Application`` through a local Bot API endpoint in another process.

The endpoint (``bot_api_server.py``) behaves like Telegram where bots get it wrong; this
module is the test's handle on it: start and stop it, act as users (text, button presses,
photos, documents), read back every call the bot made, and arrange faults (a 403 for a
blocked user, a 429 with ``retry_after``, a response held back until the client times
out). Point the bot at it with::

    ApplicationBuilder().token("123:ABC").base_url(server.base_url)
        .base_file_url(server.base_file_url)

Control calls are synchronous HTTP to a local process (well under a millisecond each), so
they may be made from the event loop the bot runs on; the ``wait_for*`` coroutines wait in
a worker thread, so the bot keeps running meanwhile. ``polling(app)`` runs an Application
with an error handler that fails the test if a handler raised.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from telegram.ext import Application, ApplicationBuilder, ContextTypes

from harness.bot_api_server import BOT_USERNAME, POLLING

__all__ = ["BOT_USERNAME", "TOKEN", "BotApiServer", "Call", "Upload", "application_builder",
           "polling"]

T = TypeVar("T")
TOKEN = "123:ABC"
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
_SERVER_SCRIPT = Path(__file__).with_name("bot_api_server.py")
_REPLY_METHODS = ("sendMessage", "editMessageText")


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded (``sendDocument``, ``sendPhoto``)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """One Bot API call the bot made, its parameters decoded as Telegram reads them.

    ``params`` holds numbers as numbers and ``reply_markup`` as a dict; ``error`` is the
    description of the refusal the bot received, None when the call succeeded.
    ``delivered`` lists the update ids a ``getUpdates`` answered with; ``message_id`` is
    the id of the message a call sent or edited.
    """

    seq: int
    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    error: str | None
    at: float
    delivered: tuple[int, ...] = ()
    message_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when the endpoint answered ``{"ok": true}``."""
        return self.error is None

    @property
    def text(self) -> str | None:
        """The message text sent or edited, if any."""
        value = self.params.get("text")
        return None if value is None else str(value)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard's rows, empty without one."""
        markup = self.params.get("reply_markup") or {}
        return list(markup.get("inline_keyboard", [])) if isinstance(markup, dict) else []


class BotApiServer:
    """A local Telegram Bot API in its own process, and the test's remote control for it."""

    def __init__(self, startup_timeout: float = 10.0, port: int = 0) -> None:
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="bot-api-", suffix=".log")  # noqa: SIM115
        self._conn: http.client.HTTPConnection | None = None
        self._calls: list[Call] = []
        self.port = port  # 0: any free port

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> BotApiServer:
        """Start the endpoint process; returns once it listens.

        After ``stop()`` it starts again on the same port as a new process: no calls, chats
        or pending updates, but update ids that go on increasing, as Telegram's do.
        """
        self._calls = []
        process = subprocess.Popen([sys.executable, str(_SERVER_SCRIPT), str(self.port)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=self._log)
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"Bot API endpoint did not start:\n{self.log()}")
        self.port = int(line)
        self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self

    def stop(self) -> None:
        """Stop the endpoint process (ours, by its pid)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
            self._process = None

    def __enter__(self) -> BotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def reset(self) -> None:
        """Forget calls, chats, files, faults and pending updates (between tests)."""
        self._control("reset")
        self._calls = []

    def log(self) -> str:
        """The endpoint's stderr and any harness errors it caught, for a failing test."""
        self._log.flush()
        text = Path(self._log.name).read_text(errors="replace")
        if self._conn is not None:
            try:
                text += "".join(self.server_errors())
            except (OSError, RuntimeError) as exc:
                text += f"(the endpoint does not answer: {exc!r})"
        return text

    def server_errors(self) -> list[str]:
        """Tracebacks of requests the endpoint itself failed on (harness bugs)."""
        return list(self.state()["errors"])

    def state(self) -> dict[str, Any]:
        """Webhook, commands per scope and language, pending update ids, errors, CPU."""
        return dict(self._control("state"))

    # -- acting as users -----------------------------------------------------------------

    def send_text(self, user_id: int, text: str, *, language_code: str = "nb",
                  first_name: str = "Kari") -> int:
        """A user sends ``text`` (a ``/command`` gets its entity); returns its message_id."""
        return int(self._control("message", user_id=user_id, text=text,
                                 language_code=language_code,
                                 first_name=first_name)["message_id"])

    def press(self, user_id: int, callback_data: str, message_id: int) -> str:
        """A user presses a button of the bot's message; returns the callback query id."""
        return str(self._control("callback", user_id=user_id, data=callback_data,
                                 message_id=message_id)["callback_query_id"])

    def send_photo(self, user_id: int, data: bytes, sizes: int = 3, *,
                   caption: str | None = None, language_code: str = "nb",
                   first_name: str = "Kari") -> int:
        """A user sends a photo: ``sizes`` PhotoSizes, largest last; returns its message_id.

        Every size serves ``data`` itself: handlers take ``photo[-1]`` and the bytes they
        download are the bytes the test sent.
        """
        photo = {"data_b64": base64.b64encode(data).decode(), "sizes": sizes}
        return int(self._control("message", user_id=user_id, photo=photo, caption=caption,
                                 language_code=language_code,
                                 first_name=first_name)["message_id"])

    def send_document(self, user_id: int, data: bytes, file_name: str, mime_type: str, *,
                      caption: str | None = None, language_code: str = "nb",
                      first_name: str = "Kari") -> int:
        """A user sends a file as a document; returns its message_id."""
        document = {"data_b64": base64.b64encode(data).decode(), "file_name": file_name,
                    "mime_type": mime_type}
        return int(self._control("message", user_id=user_id, document=document,
                                 caption=caption, language_code=language_code,
                                 first_name=first_name)["message_id"])

    def send_sequence(self, user_id: int, texts: list[str], *,
                      language_code: str = "nb", first_name: str = "Kari") -> None:
        """The user sends ``texts`` one at a time, each after the bot's next reply.

        The endpoint drives this itself, so the test process spends CPU only on the bot.
        """
        self._control("sequence", user_id=user_id, texts=texts,
                      language_code=language_code, first_name=first_name)

    def send_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (without ``update_id``) for kinds the helpers lack."""
        return int(self._control("update", update=update)["update_id"])

    def register_file(self, data: bytes, **extra: Any) -> str:
        """Store bytes the bot may fetch with ``getFile``; returns the file_id."""
        return str(self._control("file", data_b64=base64.b64encode(data).decode(),
                                 extra=extra)["file_id"])

    # -- faults --------------------------------------------------------------------------

    def fail(self, method: str, error_code: int, description: str, *, times: int = 1,
             retry_after: int | None = None, chat_id: int | None = None) -> None:
        """Refuse the next ``times`` calls of ``method`` (for ``chat_id`` only, if given).

        E.g. ``fail("sendMessage", 403, "Forbidden: bot was blocked by the user")`` or
        ``fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)``.
        """
        self._control("rule", method=method, error_code=error_code, description=description,
                      times=times, retry_after=retry_after, chat_id=chat_id)

    def stall(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` answers of ``method`` back for ``seconds`` after acting.

        The call takes effect (a message is sent, updates are handed out) but the client
        may time out first — as when Telegram is slow. For ``getUpdates`` only answers
        carrying updates are held.
        """
        self._control("rule", method=method, seconds=seconds, times=times)

    # -- reading what the bot did --------------------------------------------------------

    def calls(self, method: str | None = None, *, polling: bool = False) -> list[Call]:
        """The bot's calls in order; ``getUpdates`` only if asked for by name or ``polling``."""
        self._sync()
        return [c for c in self._calls
                if (method is None and (polling or c.method != POLLING)) or c.method == method]

    def replies(self, chat_id: int) -> list[str]:
        """Texts of the bot's successful sendMessage and editMessageText to a chat, in order."""
        return [c.text or "" for c in self.calls()
                if c.method in _REPLY_METHODS and c.ok and c.params.get("chat_id") == chat_id]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message as it stands now (after edits, with its markup), None if deleted."""
        result = self._control("message_state", chat_id=chat_id, message_id=message_id)
        return None if result is None else dict(result)

    def last_bot_message_id(self, chat_id: int) -> int:
        """The message_id of the bot's latest successful sendMessage to a chat."""
        for call in reversed(self.calls("sendMessage")):
            if call.ok and call.params.get("chat_id") == chat_id:
                return int(call.message_id or 0)
        raise LookupError(f"the bot sent no message to chat {chat_id}")

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10) -> T:
        """Wait until ``predicate()`` is truthy and return its value; re-checked on each call.

        Raises ``TimeoutError`` listing the bot's calls so far, to show what happened.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                summary = "\n".join(f"  {c.method} {c.params} {c.error or ''}"
                                    for c in self.calls())
                raise TimeoutError(f"not true after {timeout} s; the bot's calls:\n{summary}")
            seen = len(self._calls)
            await asyncio.to_thread(self._wait_for_call, seen, min(remaining, 1.0))

    async def wait_for_replies(self, chat_id: int, count: int, timeout: float = 10) -> list[str]:
        """Wait until the bot has replied ``count`` times to a chat; returns all replies."""
        def enough() -> list[str]:
            replies = self.replies(chat_id)
            return replies if len(replies) >= count else []

        return await self.wait_for(enough, timeout)

    async def wait_for_calls(self, method: str, count: int, timeout: float = 30) -> list[Call]:
        """Wait until the bot made ``count`` successful calls of ``method``; returns them all.

        ``wait_for_count`` waits, then the calls are fetched once; while measuring the
        bot's CPU use ``wait_for_count`` alone (fetching parses every call).
        """
        await self.wait_for_count(method, count, timeout)
        return [c for c in self.calls(method) if c.ok]

    async def wait_for_count(self, method: str, count: int, timeout: float = 30) -> None:
        """Wait until the endpoint has recorded ``count`` successful calls of ``method``.

        The endpoint counts and nothing is fetched: ``wait_for_calls`` also hands back the
        calls, so it parses every call of a round when it returns, which a bench round
        of 100 chats (3,000–5,000 calls, more for a bot making more ``getUpdates``) would
        count as the bot's CPU. This is the wait to use while measuring the bot's CPU.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"fewer than {count} {method} calls after {timeout} s")
            answer = await asyncio.to_thread(self._wait_for_call, 0, remaining,
                                             method=method, count=count)
            if answer["good"] >= count:
                return

    # -- plumbing ------------------------------------------------------------------------

    def _sync(self) -> None:
        for raw in self._control("calls", since=len(self._calls)):
            self._calls.append(_call_from_json(raw))

    def _wait_for_call(self, seen: int, timeout: float, **until: Any) -> dict[str, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout + 5)
        try:
            answer: dict[str, Any] = _post(conn, "wait",
                                           {"since": seen, "timeout": timeout, **until})
            return answer
        finally:
            conn.close()

    def _control(self, command: str, **params: Any) -> Any:
        if self._conn is None:
            raise RuntimeError("BotApiServer is not started")
        return _post(self._conn, command, params)


def _post(conn: http.client.HTTPConnection, command: str, params: dict[str, Any]) -> Any:
    conn.request("POST", f"/_control/{command}", body=json.dumps(params),
                 headers={"Content-Type": "application/json"})
    answer = conn.getresponse()
    body = answer.read()
    if answer.status != 200:
        raise RuntimeError(f"control {command} failed ({answer.status}): {body.decode()}")
    return json.loads(body)


def _call_from_json(raw: dict[str, Any]) -> Call:
    files = {name: Upload(f["filename"], f["content_type"], base64.b64decode(f["data_b64"]))
             for name, f in raw["files"].items()}
    return Call(raw["seq"], raw["method"], raw["params"], files, raw["error"], raw["at"],
                tuple(raw.get("delivered", ())), raw.get("message_id"))


def application_builder(server: BotApiServer, token: str = TOKEN) -> AnyBuilder:
    """An ``ApplicationBuilder`` pointed at the endpoint, as production points at Telegram.

    ``get_updates_read_timeout`` is short so that a test of a timed-out poll is quick:
    PTB's client timeout for ``getUpdates`` is this plus the long-poll ``timeout``.
    """
    return (ApplicationBuilder().token(token).base_url(server.base_url)
            .base_file_url(server.base_file_url).get_updates_read_timeout(0.5))


@asynccontextmanager
async def polling(app: AnyApplication, *, timeout: int = 1,
                  allow_errors: bool = False) -> AsyncIterator[list[object]]:
    """Run ``app`` polling the endpoint; yields the errors its handlers raised.

    Without an error handler PTB only logs a handler's exception and the test passes, so
    one is added here; unless ``allow_errors``, leaving the block with errors fails.
    """
    errors: list[object] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(record)
    updater = app.updater
    assert updater is not None, "built without an Updater"
    async with app:
        await updater.start_polling(poll_interval=0.0, timeout=timeout)
        await app.start()
        try:
            yield errors
        except BaseException as exc:
            if errors and not allow_errors:
                exc.add_note(_describe(errors))
            raise
        finally:
            await updater.stop()
            await app.stop()
    if errors and not allow_errors:
        raise AssertionError(_describe(errors))


def _describe(errors: list[object]) -> str:
    parts = ["the bot's handlers raised:"]
    for error in errors:
        if isinstance(error, BaseException):
            parts.append("".join(traceback.format_exception(error)))
        else:
            parts.append(repr(error))
    return "\n".join(parts)
