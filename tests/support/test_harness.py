"""The harness itself: a real PTB Application, Dovecot and SMTP, each through its real client."""

from __future__ import annotations

import asyncio
import os
import time
from email.message import EmailMessage

import aiosmtplib
import pytest
from imap_tools import AND, MailBoxUnencrypted
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from harness.bot_api import (
    BOT_USERNAME,
    AnyApplication,
    BotApiServer,
    application_builder,
    polling,
)
from harness.dovecot import DovecotServer, ImapAccount
from tests.support.smtp import SmtpServer

KARI = 4711
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Send inn", callback_data="submit:7")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the text back, with a button to press."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text, reply_markup=KEYBOARD)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, showing the deep-link argument."""
    assert update.message is not None
    await update.message.reply_text(f"Hei! {' '.join(context.args or [])}")


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query first, then edit the message that carried the button."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Trykket {query.data}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the largest size and report its length."""
    assert update.message is not None
    data = await (await update.message.photo[-1].get_file()).download_as_bytearray()
    context.bot_data["photo"] = bytes(data)
    await update.message.reply_text(f"Kvittering mottatt ({len(data)} byte)")


def echo_bot(bot_api: BotApiServer) -> AnyApplication:
    app = application_builder(bot_api).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(CallbackQueryHandler(pressed, pattern=r"^submit:\d+$"))
    return app


# -- Telegram ------------------------------------------------------------------------------

async def test_a_real_application_echoes_answers_a_button_and_downloads_a_photo(bot_api):
    app = echo_bot(bot_api)
    receipt = os.urandom(40_000)
    async with polling(app) as errors:
        bot_api.send_text(KARI, "/start inv-abc")
        bot_api.send_text(KARI, "Hei på deg")
        assert await bot_api.wait_for_replies(KARI, 2) == ["Hei! inv-abc", "Hei på deg"]
        shown = bot_api.last_bot_message_id(KARI)
        assert bot_api.calls("sendMessage")[-1].buttons == [
            [{"text": "Send inn", "callback_data": "submit:7"}]]

        bot_api.press(KARI, "submit:7", shown)
        await bot_api.wait_for_replies(KARI, 3)
        bot_api.send_photo(KARI, receipt)
        replies = await bot_api.wait_for_replies(KARI, 4)
    assert errors == []
    assert replies[2:] == ["Trykket submit:7", "Kvittering mottatt (40000 byte)"]
    assert app.bot_data["photo"] == receipt
    assert [c.ok for c in bot_api.calls("answerCallbackQuery")] == [True]
    edited = bot_api.message(KARI, shown)
    assert edited is not None and edited["text"] == "Trykket submit:7"
    assert "reply_markup" not in edited, "an edit without a keyboard removes it"
    assert not app.running and not app.updater.running  # type: ignore[union-attr]


async def test_an_update_answered_to_a_poll_that_timed_out_is_delivered_again(bot_api):
    app = echo_bot(bot_api)
    # PTB gives up on a poll after timeout (1 s) + get_updates_read_timeout (0.5 s).
    bot_api.stall("getUpdates", 2.0)
    async with polling(app):
        bot_api.send_text(KARI, "Hallo")
        assert await bot_api.wait_for_replies(KARI, 1) == ["Hallo"]
        await asyncio.sleep(0.6)  # the held-back answer reaches a closed connection
    delivered = [c.delivered for c in bot_api.calls("getUpdates") if c.delivered]
    assert len(delivered) >= 2 and delivered[0] == delivered[1]
    assert bot_api.replies(KARI) == ["Hallo"]


async def test_get_updates_keeps_updates_until_a_later_offset_confirms_them(bot_api):
    async with application_builder(bot_api).build() as app:
        assert (await app.bot.get_me()).username == BOT_USERNAME
        bot_api.send_text(KARI, "en")
        bot_api.send_text(KARI, "to")
        first = await app.bot.get_updates(timeout=0)
        again = await app.bot.get_updates(timeout=0)
        assert [u.update_id for u in again] == [u.update_id for u in first]
        assert len(first) == 2
        assert await app.bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()

        started = time.monotonic()
        waiting = asyncio.create_task(app.bot.get_updates(offset=first[-1].update_id + 1,
                                                          timeout=5))
        await asyncio.sleep(0.1)
        bot_api.send_text(KARI, "tre")
        arrived = await waiting
        assert [u.message.text for u in arrived if u.message] == ["tre"]
        assert time.monotonic() - started < 2, "a long poll returns as soon as one arrives"

        older = asyncio.create_task(app.bot.get_updates(offset=arrived[-1].update_id + 1,
                                                        timeout=5))
        await asyncio.sleep(0.1)
        async with application_builder(bot_api).build() as second_instance:
            await second_instance.bot.get_updates(timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await older


# PTB itself reads RetryAfter.retry_after as seconds while building the exception.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_the_endpoint_refuses_what_telegram_refuses(bot_api):
    async with application_builder(bot_api).build() as app:
        bot = app.bot
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(KARI, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(KARI, "x", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="d" * 65)]]))
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(KARI, "<b>Beløp</i>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="reserved"):
            await bot.send_message(KARI, "Sum: 1.234,50 kr", parse_mode="MarkdownV2")
        sent = await bot.send_message(KARI, "<b>Sum:</b> 1 234,50 kr", parse_mode="HTML")
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("<b>Sum:</b> 1 234,50 kr", KARI, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
            await bot.answer_callback_query("nope")

        bot_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        with pytest.raises(Forbidden):
            await bot.send_message(KARI, "Regningen er godkjent")
        bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
        with pytest.raises(RetryAfter):
            await bot.send_message(KARI, "Regningen er godkjent")
        assert (await bot.send_message(KARI, "Regningen er godkjent")).message_id == 2


async def test_uploads_commands_and_files_are_recorded_as_telegram_reads_them(bot_api):
    pdf = b"%PDF-1.7\n" + os.urandom(2_000)
    async with application_builder(bot_api).build() as app:
        bot = app.bot
        sent = await bot.send_document(KARI, pdf, filename="K-2026-000001.pdf",
                                       caption="Reiseregning")
        assert sent.document is not None and sent.document.file_name == "K-2026-000001.pdf"
        assert await (await bot.get_file(sent.document.file_id)).download_as_bytearray() == pdf
        await bot.set_my_commands([("ny", "Ny reiseregning")], language_code="nb")
        await bot.set_my_commands([("new", "New claim")], language_code="en")
        assert [c.command for c in await bot.get_my_commands(language_code="nb")] == ["ny"]
        await bot.send_chat_action(KARI, "typing")

    upload = bot_api.calls("sendDocument")[0]
    assert upload.files["document"].data == pdf
    assert upload.files["document"].filename == "K-2026-000001.pdf"
    assert upload.params["chat_id"] == KARI and upload.params["caption"] == "Reiseregning"
    assert bot_api.calls("setMyCommands")[1].params["commands"] == [
        {"command": "new", "description": "New claim"}]


async def test_cpu_per_update_for_200_sequential_echoes(bot_api, capsys):
    app = application_builder(bot_api).build()

    async def say_back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, say_back))
    async with polling(app):
        bot_api.send_text(KARI, "oppvarming")
        await bot_api.wait_for_calls("sendMessage", 1)
        cpu, wall = time.process_time(), time.perf_counter()
        # The endpoint sends each text after the bot's previous reply: no driver in this
        # process, so its CPU time is the bot's.
        bot_api.send_sequence(KARI, [f"melding {n}" for n in range(200)])
        await bot_api.wait_for_count("sendMessage", 201, timeout=60)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        with pytest.raises(TimeoutError, match="fewer than 202 sendMessage"):
            await bot_api.wait_for_count("sendMessage", 202, timeout=0.3)
    with capsys.disabled():
        print(f"\nPTB echo bot: {cpu / 200 * 1000:.2f} ms CPU and "
              f"{wall / 200 * 1000:.2f} ms wall per update (200 sequential)")
    assert bot_api.replies(KARI)[-1] == "melding 199"


# -- IMAP ----------------------------------------------------------------------------------

def reply_mail(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Anne Anviser <anne@kommune.no>"
    message["To"] = "kvitt+r.abc123@kvitt.no"
    message["Subject"] = subject
    message["Message-ID"] = "<reply-1@kommune.no>"
    message.set_content(body)
    return message.as_bytes()


def test_dovecot_keeps_an_appended_reply_and_moves_it_to_processed(
        imap_account: ImapAccount) -> None:
    with MailBoxUnencrypted(imap_account.host, imap_account.port).login(
            imap_account.user, imap_account.password) as mailbox:
        assert {"INBOX", "Processed", "Rejected"} <= {f.name for f in mailbox.folder.list()}
        mailbox.append(reply_mail("Re: K-2026-000001 til godkjenning", "GODKJENT\n"), "INBOX")
        (reply,) = mailbox.fetch(AND(all=True))
        assert reply.from_ == "anne@kommune.no" and reply.text.strip() == "GODKJENT"
        assert reply.headers["message-id"] == ("<reply-1@kommune.no>",)
        assert reply.uid is not None
        mailbox.move([reply.uid], "Processed")
        assert list(mailbox.fetch()) == []
        mailbox.folder.set("Processed")
        assert [m.subject for m in mailbox.fetch()] == ["Re: K-2026-000001 til godkjenning"]


def test_each_imap_account_starts_empty(imap_server: DovecotServer,
                                        imap_account: ImapAccount) -> None:
    assert imap_account.user != imap_server.user
    with MailBoxUnencrypted(imap_account.host, imap_account.port).login(
            imap_account.user, imap_account.password) as mailbox:
        assert list(mailbox.fetch()) == []


# -- SMTP ----------------------------------------------------------------------------------

def claim_mail() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kvitt <kvitt@kvitt.no>"
    message["To"] = "anne@kommune.no"
    message["Subject"] = "Reiseregning fra Kåre Ødegård til godkjenning"
    message.set_content("Svar GODKJENT eller RETUR <grunn>.")
    return message


async def send(server: SmtpServer, **kwargs: object) -> None:
    await aiosmtplib.send(claim_mail(), hostname=server.host, port=server.port,
                          start_tls=False, timeout=5, **kwargs)  # type: ignore[arg-type]


async def test_smtp_server_records_envelope_bytes_and_parsed_message(smtp_server):
    await send(smtp_server)
    (received,) = await smtp_server.wait_for_messages(1)
    assert received.mail_from == "kvitt@kvitt.no"
    assert received.rcpt_tos == ("anne@kommune.no",)
    assert received.message["Subject"] == "Reiseregning fra Kåre Ødegård til godkjenning"
    assert b"=?utf-8?" in received.data


async def test_smtp_server_refuses_when_told_then_accepts(smtp_server):
    smtp_server.refuse("451 4.3.0 Try again later")
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await send(smtp_server)
    assert refused.value.code == 451
    smtp_server.refuse("550 5.1.1 No such user", at="RCPT")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(smtp_server)
    await send(smtp_server)
    assert len(smtp_server.messages) == 1


async def test_smtp_server_can_be_down_and_back_on_the_same_port(smtp_server):
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await send(smtp_server)
    smtp_server.start()
    await send(smtp_server)
    assert smtp_server.port == port and len(smtp_server.messages) == 1


async def test_smtp_server_can_require_a_login():
    server = SmtpServer(user="kvitt", password="hemmelig").start()
    try:
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            await send(server, username="kvitt", password="feil")
        await send(server, username="kvitt", password="hemmelig")
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_the_endpoint_counts_good_calls_by_method_as_they_are_recorded() -> None:
    """A wait for n calls of a method reads this count, not a scan of every call so far."""
    from harness.bot_api_server import BotApi

    api = BotApi()
    api.record({"method": "sendMessage", "error": None})
    api.record({"method": "sendMessage", "error": "Bad Request: chat not found"})
    api.record({"method": "getUpdates", "error": None})
    assert api.good == {"sendMessage": 1, "getUpdates": 1}
    api.reset()
    assert not api.good
