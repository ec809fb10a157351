"""A local Telegram Bot API endpoint, run as its own process by ``bot_api.BotApiServer``.

Standard library only, so it starts as ``python bot_api_server.py`` without the project.
It runs in a process of its own because the bot under test is timed by CPU and must not
share an event loop (or the GIL) with its fake server. One asyncio loop serves everything:
the Bot API routes ``/bot<TOKEN>/<method>`` and ``/file/bot<TOKEN>/<path>``, and a JSON
control API under ``/_control/<command>`` through which a test injects updates and reads
back what the bot called. Each response is written in one piece on a ``TCP_NODELAY``
socket: a header write followed by a body write costs ~40 ms per request through Nagle.

Where Telegram's behaviour is a known trap for bots, this endpoint copies it: updates stay
until a later ``offset`` confirms them, a second ``getUpdates`` ends the first with 409,
edits that change nothing are refused, and over-long texts, callback data over 64 bytes
and unparsable HTML / MarkdownV2 are 400s (unknown or unbalanced tags; unescaped
reserved characters). Not emulated: ``allowed_updates`` filtering, groups and channels,
inline mode, and entity parsing — a sent or edited message keeps its text as sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import socket
import sys
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import HTTP
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

BOT_USERNAME = "kvitt_test_bot"
POLLING = "getUpdates"
# Telegram reads these as text; any other form value is JSON if it parses as JSON.
_STRING_FIELDS = frozenset({
    "text", "caption", "callback_query_id", "file_id", "url", "secret_token", "description",
    "short_description", "name", "language_code", "action", "inline_message_id", "query",
    "title", "parse_mode", "message_effect_id", "business_connection_id", "ip_address",
    "emoji", "file_name"})
_HTML_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                        "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"})
_MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
_NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and "
                 "reply markup are exactly the same as a current content and reply markup "
                 "of the message")


class ApiError(Exception):
    """A Bot API refusal: becomes ``{"ok": false, ...}`` with ``error_code`` as HTTP status."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class Request:
    """One parsed HTTP/1.1 request."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        """HTTP/1.1 keeps the connection unless told to close it."""
        return self.headers.get("connection", "").lower() != "close"


@dataclass
class Rule:
    """A fault or stall the test asked for: applies to the next ``times`` matching calls."""

    method: str
    times: int
    chat_id: int | str | None = None
    error_code: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """True for a call of this method (and chat, when the rule names one)."""
        return self.times > 0 and self.method.lower() == method.lower() and (
            self.chat_id is None or params.get("chat_id") == self.chat_id)


@dataclass
class Chat:
    """A private chat between one user and the bot; message ids count per chat."""

    user: dict[str, Any]
    last_message_id: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)

    def next_message_id(self) -> int:
        """Both sides' messages share one counter, as in Telegram's private chats."""
        self.last_message_id += 1
        return self.last_message_id


class _Signal:
    """Wakes every waiter when something changed (an ``asyncio.Event`` renewed per change)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    def wait(self, timeout: float) -> Coroutine[Any, Any, None]:
        """Until the next change after this call, or ``timeout`` seconds.

        The event is taken when this is called, not when the coroutine first runs: a
        caller checks its condition, then calls this, with no ``await`` in between, so a
        change in that gap still wakes it. (Taken inside the coroutine, a ``getUpdates``
        that wrapped it in a task missed an update added before the task first ran and
        slept out its whole long-poll timeout: one chat's dialog then crawled at one
        update a second, the bench's unexplained PostgreSQL rows of 5 December.)
        """
        return self._wait(self._event, timeout)

    @staticmethod
    async def _wait(event: asyncio.Event, timeout: float) -> None:
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)


class _HtmlChecker(HTMLParser):
    """Refuses what Telegram's HTML parse mode refuses: unknown and unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise ApiError(400, "Bad Request: can't parse entities: "
                                f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        self.open.pop()


def check_entities(text: str, parse_mode: str | None) -> None:
    """Raise the 400 Telegram gives for text its parse mode cannot parse."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        checker = _HtmlChecker()
        checker.feed(text)
        checker.close()
        if checker.open:
            raise ApiError(400, "Bad Request: can't parse entities: Can't find end tag "
                                f'corresponding to start tag "{checker.open[-1]}"')
    elif mode == "markdownv2":
        i, n = 0, len(text)
        while i < n:
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "`":
                end = text.find("`", i + 1)
                i = n if end < 0 else end + 1
                continue
            if text.startswith("](", i):
                end = text.find(")", i + 2)
                i = n if end < 0 else end + 1
                continue
            if char in ".!-=+#{}":
                raise ApiError(400, f"Bad Request: can't parse entities: Character '{char}' "
                                    "is reserved and must be escaped with the preceding '\\'")
            i += 1


def decode_value(name: str, raw: str) -> Any:
    """A form value as Telegram reads it: JSON (numbers, markup) unless a text field."""
    if name in _STRING_FIELDS:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return raw if isinstance(value, str) else value


def parse_body(request: Request) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Parameters and uploaded files from a query string, form, multipart or JSON body."""
    params: dict[str, Any] = {k: decode_value(k, v) for k, v in parse_qsl(request.query)}
    files: dict[str, dict[str, Any]] = {}
    ctype = request.headers.get("content-type", "")
    if not request.body:
        return params, files
    if ctype.startswith("application/json"):
        params.update(json.loads(request.body))
    elif ctype.startswith("application/x-www-form-urlencoded"):
        form = parse_qsl(request.body.decode(), keep_blank_values=True)
        params.update({k: decode_value(k, v) for k, v in form})
    elif ctype.startswith("multipart/form-data"):
        whole = message_from_bytes(
            f"Content-Type: {ctype}\r\n\r\n".encode() + request.body, policy=HTTP)
        assert isinstance(whole, EmailMessage)
        for part in whole.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is None:
                params[name] = decode_value(name, data.decode())
            else:
                files[name] = {"filename": filename, "content_type": part.get_content_type(),
                               "data": data}
    return params, files


def check_markup(markup: Any) -> None:
    """Telegram refuses callback data outside 1–64 bytes with ``BUTTON_DATA_INVALID``."""
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


class BotApi:
    """The endpoint's state and its Bot API methods (one coroutine or function per method)."""

    def __init__(self) -> None:
        # Telegram's update ids keep increasing, also across a restart of this endpoint (a
        # bot asks for ``offset`` = its last id + 1): start from the time, in ms, mod 11 days
        self.last_update_id = int(time.time() * 1000) % 1_000_000_000
        self.file_count = 0
        self.errors: list[str] = []
        self.updates_changed = _Signal()
        self.calls_changed = _Signal()
        self.reset()

    def reset(self) -> None:
        """Forget everything but the update counter, so a polling client never goes back."""
        self.updates: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        # good calls by method, kept as they are recorded: a wait for "n sendMessage calls"
        # must not scan every call since the start (a bench run records hundreds of
        # thousands, and the scan made the endpoint, not the bot, set the pace)
        self.good: Counter[str] = Counter()
        self.files: dict[str, dict[str, Any]] = {}
        self.chats: dict[int | str, Chat] = {}
        self.callback_ids: set[str] = set()
        self.commands: dict[str, list[Any]] = {}
        self.webhook: dict[str, Any] = {}
        self.rules: list[Rule] = []
        self.sequences: dict[int | str, deque[dict[str, Any]]] = {}
        self.poller: asyncio.Future[None] | None = None
        self.errors.clear()
        self.calls_changed.fire()

    def record(self, call: dict[str, Any]) -> None:
        call["seq"] = len(self.calls)
        self.calls.append(call)
        if not call.get("error"):
            self.good[call["method"]] += 1
        self.calls_changed.fire()

    # -- identities and files ------------------------------------------------------------

    def bot_user(self, token: str) -> dict[str, Any]:
        prefix = token.split(":", 1)[0]
        return {"id": int(prefix) if prefix.isdigit() else 1, "is_bot": True,
                "first_name": "Kvitt", "username": BOT_USERNAME}

    def chat(self, chat_id: int | str, user: dict[str, Any] | None = None) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(user or {"id": chat_id, "is_bot": False,
                                                       "first_name": "Kari"})
        elif user is not None:
            chat.user = user
        return chat

    @staticmethod
    def chat_dict(chat: Chat) -> dict[str, Any]:
        return {"id": chat.user["id"], "type": "private", "first_name": chat.user["first_name"]}

    def register_file(self, data: bytes, folder: str, suffix: str,
                      **extra: Any) -> dict[str, Any]:
        """Keep bytes under a new file_id; ``getFile`` then gives the path they are served at."""
        self.file_count += 1
        digest = hashlib.sha256(data).hexdigest()[:16]
        file_id = f"F{self.file_count}-{digest}"
        entry = {"file_id": file_id, "file_unique_id": f"U{digest}", "file_size": len(data),
                 **extra}
        self.files[file_id] = {"data": data, "path": f"{folder}/file_{self.file_count}{suffix}",
                               "public": entry}
        return entry

    def file_by_path(self, path: str) -> bytes | None:
        for stored in self.files.values():
            if stored["path"] == path:
                return bytes(stored["data"])
        return None

    # -- updates -------------------------------------------------------------------------

    def push_update(self, body: dict[str, Any]) -> int:
        self.last_update_id += 1
        self.updates.append({"update_id": self.last_update_id, **body})
        self.updates_changed.fire()
        return self.last_update_id

    def user_message(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Build and queue a message from a user, as Telegram would deliver it."""
        user = {"id": spec["user_id"], "is_bot": False,
                "first_name": spec.get("first_name", "Kari"),
                "language_code": spec.get("language_code", "nb")}
        if spec.get("username"):
            user["username"] = spec["username"]
        chat = self.chat(spec["user_id"], user)
        message: dict[str, Any] = {"message_id": chat.next_message_id(), "from": user,
                                   "chat": self.chat_dict(chat), "date": int(time.time())}
        text = spec.get("text")
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                # CommandHandler only sees commands that carry a bot_command entity.
                command = text.split(maxsplit=1)[0]
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command.encode("utf-16-le")) // 2}]
        if "photo" in spec:
            data = base64.b64decode(spec["photo"]["data_b64"])
            count = max(1, int(spec["photo"].get("sizes", 3)))
            sides = [90 * 2**i for i in range(count)]
            message["photo"] = [self.register_file(data, "photos", ".jpg", width=side,
                                                   height=side * 3 // 4) for side in sides]
        if "document" in spec:
            doc = spec["document"]
            message["document"] = self.register_file(
                base64.b64decode(doc["data_b64"]), "documents", "",
                file_name=doc["file_name"], mime_type=doc["mime_type"])
        if spec.get("caption") is not None:
            message["caption"] = spec["caption"]
        chat.messages[message["message_id"]] = message
        update_id = self.push_update({"message": message})
        return {"update_id": update_id, "message_id": message["message_id"]}

    def callback(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Queue a press on a button of the bot's message ``message_id``."""
        chat = self.chat(spec["user_id"])
        user = {**chat.user, "id": spec["user_id"]}
        message = chat.messages.get(spec["message_id"]) or {
            "message_id": spec["message_id"], "chat": self.chat_dict(chat), "date": 0}
        query_id = f"{self.last_update_id + 1}{spec['user_id']}"
        self.callback_ids.add(query_id)
        update_id = self.push_update({"callback_query": {
            "id": query_id, "from": user, "message": message, "data": spec["data"],
            "chat_instance": f"ci{spec['user_id']}"}})
        return {"update_id": update_id, "callback_query_id": query_id}

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]
        if self.poller is not None and not self.poller.done():
            self.poller.set_result(None)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.poller = mine
        deadline = time.monotonic() + timeout
        while True:
            if mine.done():
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                    "sure that only one bot instance is running")
            remaining = deadline - time.monotonic()
            if self.updates or remaining <= 0:
                return self.updates[:limit]
            waiter = asyncio.ensure_future(self.updates_changed.wait(remaining))
            await asyncio.wait([waiter, mine], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()

    # -- messages ------------------------------------------------------------------------

    def bot_message(self, token: str, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        if params.get("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self.chat(params["chat_id"])
        check_markup(params.get("reply_markup"))
        message = {"message_id": chat.next_message_id(), "from": self.bot_user(token),
                   "chat": self.chat_dict(chat), "date": int(time.time()), **content}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        chat.messages[message["message_id"]] = message
        return message

    def send_message(self, token: str, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        check_entities(text, params.get("parse_mode"))
        return self.bot_message(token, params, text=text)

    def send_file(self, token: str, params: dict[str, Any], files: dict[str, Any],
                  kind: str) -> dict[str, Any]:
        upload = files.get(kind)
        given = params.get(kind)
        if upload is not None:
            data = upload["data"]
            extra = {} if kind == "photo" else {"file_name": upload["filename"],
                                                "mime_type": upload["content_type"]}
            entry = self.register_file(data, f"{kind}s", "", **extra)
        elif isinstance(given, str) and given in self.files:
            entry = self.files[given]["public"]
        elif isinstance(given, str) and given.startswith(("http://", "https://")):
            entry = self.register_file(b"", f"{kind}s", "")
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        content: dict[str, Any] = {kind: [entry] if kind == "photo" else entry}
        if params.get("caption"):
            if len(params["caption"]) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
            check_entities(params["caption"], params.get("parse_mode"))
            content["caption"] = params["caption"]
        return self.bot_message(token, params, **content)

    def existing(self, params: dict[str, Any], verb: str) -> dict[str, Any]:
        chat = self.chats.get(params.get("chat_id", ""))
        message = chat.messages.get(int(params.get("message_id") or 0)) if chat else None
        if message is None:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return message

    def edit(self, params: dict[str, Any], text: str | None) -> dict[str, Any]:
        message = self.existing(params, "edit")
        if not message["from"].get("is_bot"):
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = params.get("reply_markup") or None
        check_markup(markup)
        new_text = message.get("text") if text is None else text
        if new_text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        if text is not None:
            if not text.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            check_entities(text, params.get("parse_mode"))
            message["text"] = text
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def delete_message(self, params: dict[str, Any]) -> bool:
        message = self.existing(params, "delete")
        del self.chats[params["chat_id"]].messages[message["message_id"]]
        return True

    def answer_callback(self, params: dict[str, Any]) -> bool:
        if str(params.get("callback_query_id")) not in self.callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid")
        return True

    def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {**stored["public"], "file_path": stored["path"]}

    @staticmethod
    def commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def set_commands(self, params: dict[str, Any], commands: list[Any] | None) -> bool:
        """Commands are kept per scope and language, as Telegram keeps them."""
        key = self.commands_key(params)
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    def webhook_info(self) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    def set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    def delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self.updates = []
        return True

    async def call(self, token: str, name: str, params: dict[str, Any],
                   files: dict[str, Any]) -> Any:
        """Dispatch one Bot API method (names are case-insensitive, as Telegram's are)."""
        for rule in self.rules:
            if rule.error_code and rule.matches(name, params):
                rule.times -= 1
                raise ApiError(rule.error_code, rule.description, rule.retry_after)
        simple: dict[str, Callable[[], Any]] = {
            "getme": lambda: self.bot_user(token),
            "sendmessage": lambda: self.send_message(token, params),
            "editmessagetext": lambda: self.edit(params, str(params.get("text", ""))),
            "editmessagereplymarkup": lambda: self.edit(params, None),
            "deletemessage": lambda: self.delete_message(params),
            "answercallbackquery": lambda: self.answer_callback(params),
            "senddocument": lambda: self.send_file(token, params, files, "document"),
            "sendphoto": lambda: self.send_file(token, params, files, "photo"),
            "getfile": lambda: self.get_file(params),
            "sendchataction": lambda: True,
            "setwebhook": lambda: self.set_webhook(params),
            "deletewebhook": lambda: self.delete_webhook(params),
            "getwebhookinfo": self.webhook_info,
            "setmycommands": lambda: self.set_commands(params, params.get("commands") or []),
            "getmycommands": lambda: self.commands.get(self.commands_key(params), []),
            "deletemycommands": lambda: self.set_commands(params, None),
            "setmydescription": lambda: True,
            "setmyshortdescription": lambda: True,
            "setmyname": lambda: True,
            "setchatmenubutton": lambda: True,
        }
        key = name.lower()
        if key == POLLING.lower():
            return await self.get_updates(params)
        if key not in simple:
            raise ApiError(404, "Not Found")
        result = simple[key]()
        if key in ("sendmessage", "editmessagetext"):
            self.advance_sequence(params.get("chat_id"))
        return result

    def advance_sequence(self, chat_id: Any) -> None:
        """Ping-pong driver: the bot answered, so the user sends the next queued text."""
        queue = self.sequences.get(chat_id)
        if queue:
            self.user_message(queue.popleft())

    async def stall(self, name: str, params: dict[str, Any], result: Any) -> None:
        """Hold back a response already computed, so the client times out on it."""
        if name == POLLING and not result:
            return
        for rule in self.rules:
            if rule.seconds and rule.matches(name, params):
                rule.times -= 1
                await asyncio.sleep(rule.seconds)
                return


class Server:
    """HTTP/1.1 over asyncio streams: Bot API routes, file downloads and the control API."""

    def __init__(self) -> None:
        self.api = BotApi()

    async def handle(self, request: Request) -> tuple[int, str, bytes]:
        path = unquote(request.path)
        if path.startswith("/_control/"):
            params, _ = parse_body(request)
            return 200, "application/json", json.dumps(
                await self.control(path[len("/_control/"):], params)).encode()
        if path.startswith("/file/bot"):
            _token, _, file_path = path[len("/file/bot"):].partition("/")
            data = self.api.file_by_path(file_path)
            if data is None:
                return 404, "application/json", b'{"ok":false,"error_code":404,' \
                                                 b'"description":"Not Found"}'
            return 200, "application/octet-stream", data
        if path.startswith("/bot") and "/" in path[4:]:
            token, _, name = path[4:].partition("/")
            return await self.bot_call(token, name, request)
        return 404, "application/json", b'{"ok":false,"error_code":404,"description":"Not Found"}'

    async def bot_call(self, token: str, name: str, request: Request) -> tuple[int, str, bytes]:
        params, files = parse_body(request)
        if isinstance(params.get("chat_id"), str) and params["chat_id"].lstrip("-").isdigit():
            params["chat_id"] = int(params["chat_id"])
        record: dict[str, Any] = {
            "method": name, "params": params, "error": None,
            "at": time.time(), "files": {k: {"filename": v["filename"],
                                             "content_type": v["content_type"],
                                             "data_b64": base64.b64encode(v["data"]).decode()}
                                         for k, v in files.items()}}
        result: Any = None
        try:
            result = await self.api.call(token, name, params, files)
        except ApiError as exc:
            record["error"] = exc.description
            body: dict[str, Any] = {"ok": False, "error_code": exc.code,
                                    "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return exc.code, "application/json", json.dumps(body).encode()
        finally:
            # Recorded when answered, with its outcome: a long poll takes a while.
            if name == POLLING:
                record["delivered"] = [u["update_id"] for u in result or []]
            elif isinstance(result, dict) and "message_id" in result:
                record["message_id"] = result["message_id"]
            self.api.record(record)
        await self.api.stall(name, params, result)
        return 200, "application/json", json.dumps({"ok": True, "result": result}).encode()

    async def wait(self, p: dict[str, Any]) -> int:
        """Until there are calls after ``since`` (or ``count`` good calls of ``method``)."""
        api = self.api
        deadline = time.monotonic() + float(p.get("timeout", 10))

        def done() -> bool:
            if p.get("method"):
                return api.good[p["method"]] >= int(p.get("count", 1))
            return len(api.calls) > int(p.get("since", 0))

        while not done() and time.monotonic() < deadline:
            await api.calls_changed.wait(deadline - time.monotonic())
        return len(api.calls)

    async def control(self, command: str, p: dict[str, Any]) -> Any:
        """The test's side: inject updates, read calls, arrange faults."""
        api = self.api
        if command == "reset":
            api.reset()
            return {}
        if command == "message":
            return api.user_message(p)
        if command == "callback":
            return api.callback(p)
        if command == "update":
            return {"update_id": api.push_update(p["update"])}
        if command == "sequence":
            specs = [{**p, "text": text} for text in p["texts"]]
            api.sequences[p["user_id"]] = deque(specs[1:])
            return api.user_message(specs[0])
        if command == "file":
            return api.register_file(base64.b64decode(p["data_b64"]), "documents", "",
                                     **p.get("extra", {}))
        if command == "calls":
            return api.calls[int(p.get("since", 0)):]
        if command == "wait":
            count = await self.wait(p)
            return {"count": count, "good": api.good[p["method"]] if p.get("method") else None}
        if command == "rule":
            api.rules.append(Rule(**p))
            return {}
        if command == "message_state":
            chat = api.chats.get(p["chat_id"])
            return chat.messages.get(int(p["message_id"])) if chat else None
        if command == "state":
            return {"webhook": api.webhook, "commands": api.commands,
                    "pending_updates": [u["update_id"] for u in api.updates],
                    "errors": api.errors, "cpu": time.process_time()}
        raise ApiError(404, f"unknown control command {command}")


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request; None when the client closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(c[:-2] for c in chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length") or 0))
    url = urlsplit(target)
    return Request(method, url.path, url.query, headers, body)


def response(status: int, ctype: str, body: bytes, keep_alive: bool) -> bytes:
    """Status line, headers and body as one buffer: one write, no Nagle delay."""
    head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n")
    return head.encode() + body


async def serve(server: Server, reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> None:
    """One connection: requests in sequence until the client closes it."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while (request := await read_request(reader)) is not None:
            try:
                status, ctype, body = await server.handle(request)
            except ApiError as exc:
                status, ctype, body = exc.code, "text/plain", exc.description.encode()
            except Exception:
                # A harness bug: answer 500 and keep the traceback for the test to show.
                server.api.errors.append(traceback.format_exc())
                status, ctype, body = 500, "text/plain", b"harness error"
            writer.write(response(status, ctype, body, request.keep_alive))
            await writer.drain()
            if not request.keep_alive:
                break
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main() -> None:
    """Listen on a free port of 127.0.0.1, print it for the parent, serve until told to stop.

    The parent holds our stdin: when it exits, even killed, stdin reaches EOF and so do we.
    """
    server = Server()
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0  # a test may need a given port
    listener = await asyncio.start_server(
        lambda r, w: serve(server, r, w), "127.0.0.1", port, backlog=512)
    port = listener.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    parent = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(parent), sys.stdin)
    async with listener:
        await parent.read()


if __name__ == "__main__":
    asyncio.run(main())
