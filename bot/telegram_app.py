"""The Telegram adapter: updates in, wizard answers out. No rules here.

Each handler turns an update into an ``Incoming``, calls ``converse`` (one
transaction), and renders the answers: new messages with inline keyboards, or
an edit of the message whose button was pressed. ``query.answer()`` comes
first, always. A file is fetched only if Telegram says it is under the Bot API's
20 MB download limit; its type is judged by its bytes in the service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from telegram import BotCommand, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.dialog.core import Button, Incoming, Reply
from bot.dialog.run import converse, language
from bot.ordering import PerChatOrder
from bot.ratelimit import TelegramLimits
from bot.transport import BotApiTransport
from domain.text import Text
from service.claims import MAX_ATTACHMENT_BYTES
from service.context import Env

log = logging.getLogger("kvitt.bot")

COMMANDS = {
    "nb": [("ny", "Nytt krav"), ("send", "Send kravet til godkjenning"),
           ("oppsummering", "Se kravet"), ("linjer", "Endre eller slette linjer"),
           ("mine", "Mine krav og status"), ("angre", "Trekk tilbake et innsendt krav"),
           ("kommentar", "Skriv til godkjennerne"), ("avbryt", "Gå ut av spørsmålet"),
           ("mine_data", "Alt Kvitt har om deg"), ("slettmeg", "Slett dataene dine"),
           ("hjelp", "Hjelp")],
    "en": [("new", "New claim"), ("send", "Submit the claim"), ("summary", "See the claim"),
           ("lines", "Change or delete lines"), ("mine", "My claims and status"),
           ("withdraw", "Withdraw a submitted claim"), ("comment", "Write to the approvers"),
           ("cancel", "Leave the question"), ("my_data", "Everything Kvitt holds about you"),
           ("erase_me", "Erase your data"), ("help", "Help")],
}
ALL_COMMANDS = sorted({name for names in COMMANDS.values() for name, _ in names} | {"start"})
CALLBACK = r"^(\d{1,9}|o):[\w:.@\-]{1,54}$"  # a prompt's button, or a notice's "open"
TOO_BIG = Text("Filen er over 20 MB. Ta et nytt bilde, eller send en mindre PDF.",
               "The file is over 20 MB. Take a new photo, or send a smaller PDF.")
OUR_FAULT = Text("Beklager, noe gikk galt hos oss. Ingenting er lagret fra siste melding; "
                 "prøv igjen om litt.",
                 "Sorry, something went wrong on our side. Nothing from your last message was "
                 "saved; please try again shortly.")


def _env(context: ContextTypes.DEFAULT_TYPE) -> Env:
    env: Env = context.application.bot_data["env"]
    return env


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE,
                  incoming: Incoming) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    replies = await converse(_env(context), chat.id, user.id, incoming,
                             language_code=user.language_code)
    await render(context, chat.id, replies)


def joined(replies: list[Reply]) -> list[Reply]:
    """Plain answers joined to the new message after them: one message per answer.

    A turn often says something ("✅ Lagret = 990,00 kr") and then asks the next
    question; as two messages that is two notifications on the claimant's phone and two
    of the ~30 messages a second Telegram allows a bot in all, which capped the bot at
    23 answers a second. Edits (a pressed button's message redrawn) and documents stay
    messages of their own; the order of what is said is kept.
    """
    out: list[Reply] = []
    said: list[str] = []
    for reply in replies:
        if reply.edit is None and reply.document is None:
            if not reply.buttons:
                said.append(reply.text)
                continue
            out.append(replace(reply, text="\n\n".join([*said, reply.text])))
            said = []
            continue
        if said:
            out.append(Reply("\n\n".join(said)))
            said = []
        out.append(reply)
    if said:
        out.append(Reply("\n\n".join(said)))
    return out


def keyboard(buttons: tuple[tuple[Button, ...], ...]) -> dict[str, object]:
    """The inline keyboard as the Bot API's ``reply_markup`` field, written from the buttons.

    The same keyboard ``InlineKeyboardMarkup`` makes, without PTB turning each button into
    an object and back (a sixth of the bot's CPU per update once: bench/README, 5
    December, evening); ``bot.transport`` writes it into the JSON body as it is.
    """
    if not buttons:
        return {}
    rows = [[{"text": b.label, "callback_data": b.value} for b in row] for row in buttons]
    return {"reply_markup": {"inline_keyboard": rows}}


async def render(context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                 replies: list[Reply]) -> None:
    """Send the answers; an ``edit`` replaces the text and keyboard of that message."""
    for reply in joined(replies):
        markup = keyboard(reply.buttons)
        if reply.document is not None:
            name, data = reply.document
            await context.bot.send_document(chat_id, data, filename=name, caption=reply.text)
        elif reply.edit is not None:
            try:
                await context.bot.edit_message_text(chunks(reply.text)[0], chat_id=chat_id,
                                                    message_id=reply.edit, api_kwargs=markup)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise
        else:
            parts = chunks(reply.text)
            for part in parts[:-1]:
                await context.bot.send_message(chat_id, part)
            await context.bot.send_message(chat_id, parts[-1], api_kwargs=markup)


def chunks(text: str, limit: int = 4000) -> list[str]:
    """Text cut at line ends into messages under Telegram's 4096-character limit."""
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than a message: cut it hard
            parts.append(current + line[: limit - len(current)])
            line, current = line[limit - len(current):], ""
        if len(current) + len(line) + 1 > limit:
            parts.append(current.rstrip("\n"))
            current = ""
        current += line + "\n"
    parts.append(current.rstrip("\n"))
    return [p for p in parts if p] or [""]


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ny``, ``/start <code>`` …: the command name without ``@bot``, and its argument."""
    message = update.effective_message
    if message is None or not message.text:
        return
    word, _, rest = message.text.partition(" ")
    name = word[1:].split("@", 1)[0].lower()
    await _answer(update, context, Incoming("command", rest.strip(), command=name))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text answers the current question."""
    message = update.effective_message
    if message is not None and message.text:
        await _answer(update, context, Incoming("text", message.text))


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str | None) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()  # first, always: the spinner on the person's button stops
    message_id = query.message.message_id if query.message else None
    await _answer(update, context, Incoming("button", data or "", message_id=message_id))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed button: answered at once, then handled like an answer."""
    await _pressed(update, context, update.callback_query.data if update.callback_query else "")


async def on_malformed_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data not of our form (forged, or from another bot version): treated as stale."""
    await _pressed(update, context, "0:stale")


async def on_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo (the largest size) or a document: fetched if under the download limit."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    item = message.photo[-1] if message.photo else message.document
    if item is None:
        return
    if (item.file_size or 0) > MAX_ATTACHMENT_BYTES:
        lang = language(user.language_code if user else None)
        await message.reply_text(TOO_BIG.in_(lang))
        return
    data = bytes(await (await item.get_file()).download_as_bytearray())
    await _answer(update, context, Incoming("file", file=data))


# What the person sent, named in their language, for "I cannot use that (a sticker)".
_KINDS = (("sticker", Text("et klistremerke", "a sticker")),
          ("voice", Text("en talemelding", "a voice note")),
          ("video_note", Text("en videomelding", "a video message")),
          ("audio", Text("lyd", "audio")), ("video", Text("en video", "a video")),
          ("animation", Text("en GIF", "a GIF")), ("location", Text("en posisjon", "a location")),
          ("venue", Text("et sted", "a venue")), ("contact", Text("en kontakt", "a contact")),
          ("poll", Text("en avstemning", "a poll")), ("dice", Text("en terning", "a dice")),
          ("game", Text("et spill", "a game")))
_OTHER_KIND = Text("en melding av en annen type", "a message of another kind")


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else (sticker, voice, location, contact, poll …): answered, never ignored."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    lang = language(user.language_code if user else None)
    found = next((name for attr, name in _KINDS if getattr(message, attr, None)), _OTHER_KIND)
    await _answer(update, context, Incoming("other", found.in_(lang)))


EDITED = Text("Endringer i sendte meldinger teller ikke. Svar på nytt, eller bruk /linjer for å "
          "endre en lagret linje.",
          "Edits to sent messages do not count. Answer again, or use /lines to change a "
          "saved line.")
GROUP = Text("Kvitt svarer bare i private meldinger: skriv til meg direkte.",
         "Kvitt only answers in private messages: write to me directly.")


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: said not to count, and nothing changes."""
    await _say(update, context, EDITED)


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group chat: pointed to a private chat, and nothing else."""
    await _say(update, context, GROUP)


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: Text) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        lang = language(user.language_code if user else None)
        await context.bot.send_message(chat.id, text.in_(lang))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Our fault: log it (no personal data), tell the person, keep their state as it was."""
    log.error("update failed: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        user = update.effective_user
        lang = language(user.language_code if user else None)
        await context.bot.send_message(update.effective_chat.id,
                                       OUR_FAULT.in_(lang))


async def register_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu in Norwegian (default) and English."""
    await app.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS["nb"]])
    await app.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS["en"]],
                                  language_code="en")


def file_url(api_url: str) -> str:
    """``http://host/bot`` → ``http://host/file/bot`` (where the Bot API serves files)."""
    head, _, last = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/{last}"


def build_application(env: Env, token: str, *, api_url: str | None = None,
                      max_concurrent_updates: int = 8,
                      telegram_limits: bool = True) -> Application:  # type: ignore[type-arg]
    """The PTB application, wired to the wizard; not started.

    ``telegram_limits=False`` leaves out the rate limiter (``bot.ratelimit``). Only the
    bench does so, to set the bot's own cost per update beside a bare echo bot's, with
    neither held to Telegram's 30 messages a second. Real Telegram answers a bot that
    goes faster with 429s, so every role the ``kvitt`` command starts keeps the limits.
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(token)
        .concurrent_updates(PerChatOrder(max_concurrent_updates))
        .request(BotApiTransport(pool_size=2 * max_concurrent_updates + 4))
        .get_updates_request(BotApiTransport(pool_size=1)))
    if telegram_limits:
        builder = builder.rate_limiter(TelegramLimits())
    if api_url:
        builder = builder.base_url(api_url).base_file_url(file_url(api_url))
    app = builder.build()
    app.bot_data["env"] = env
    # only new messages in private chats: an edited message is not a new answer (it
    # would be taken as the answer to whatever question is open now), and a claim is
    # personal data that does not belong in a group
    new = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edited))
    app.add_handler(MessageHandler(~filters.ChatType.PRIVATE, on_group))
    app.add_handler(CommandHandler(ALL_COMMANDS, on_command, filters=new))
    app.add_handler(MessageHandler(filters.COMMAND & new, on_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=CALLBACK))
    app.add_handler(CallbackQueryHandler(on_malformed_button))
    app.add_handler(MessageHandler((filters.PHOTO | filters.Document.ALL) & new, on_file))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & new, on_text))
    app.add_handler(MessageHandler(new, on_other))  # last: whatever the others did not take
    app.add_error_handler(on_error)
    return app


@dataclass(frozen=True, slots=True)
class Webhook:
    """Telegram posts updates to ``url``; this process listens on ``listen`` (behind a proxy).

    Several workers can listen behind one load balancer; each chat's turns are kept in
    order by locking the chat's dialog state in the database, not in the process.
    """

    url: str
    listen: str = "127.0.0.1:8443"
    secret: str = ""


async def start_bot(app: Application, *, poll_timeout: int = 30,  # type: ignore[type-arg]
                    webhook: Webhook | None = None) -> None:
    """Start polling, or the webhook listener, inside a running event loop."""
    await app.initialize()
    await register_commands(app)
    await app.start()
    assert app.updater is not None
    if webhook is None:
        await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout,
                                        drop_pending_updates=False)
        return
    host, _, port = webhook.listen.rpartition(":")
    path = webhook.url.rstrip("/").rpartition("/")[2] or "telegram"
    await app.updater.start_webhook(listen=host, port=int(port), url_path=path,
                                    webhook_url=webhook.url, drop_pending_updates=False,
                                    secret_token=webhook.secret or None)


async def stop_bot(app: Application) -> None:  # type: ignore[type-arg]
    """Stop taking updates, finish the ones in hand, close the connections."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
