"""``kvitt check``: the effective settings (secrets masked) and a live test of each connection.

One line per check, ``ok`` or what failed and which setting to look at; exit 0
only if everything configured works. Nothing is sent or changed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable

from app.settings import Settings, SettingsError

Check = tuple[str, Callable[[Settings], Awaitable[str]]]


async def _database(settings: Settings) -> str:
    from store.engine import make_engine
    from store.migrate import SchemaNotCurrent, check_current

    engine = make_engine(settings.database_url)
    try:
        await check_current(engine)
    except SchemaNotCurrent as exc:
        return f"FEIL: {exc.text.nb}"
    finally:
        await engine.dispose()
    return "ok"


async def _smtp(settings: Settings) -> str:
    import aiosmtplib

    mail = settings.mail
    if not mail.smtp_host:
        return "ikke satt (KVITT_SMTP_HOST)"
    client = aiosmtplib.SMTP(hostname=mail.smtp_host, port=mail.smtp_port, timeout=10,
                             use_tls=mail.smtp_security == "tls",
                             start_tls=mail.smtp_security == "starttls")
    await client.connect()
    if mail.smtp_user:
        await client.login(mail.smtp_user, mail.smtp_password)
    with contextlib.suppress(Exception):
        await client.quit()
    return "ok"


async def _imap(settings: Settings) -> str:
    from mail.sources import ImapSource

    mail = settings.mail
    if not mail.imap_host:
        return "ikke satt (KVITT_IMAP_HOST)" + (f"; Maildir {mail.maildir}" if mail.maildir
                                                 else "")
    source = await asyncio.to_thread(ImapSource, mail.imap())
    await asyncio.to_thread(source.close)
    return "ok (Processed og Rejected finnes)"


async def _telegram(settings: Settings) -> str:
    from telegram import Bot

    if not settings.telegram.token:
        return "ikke satt (KVITT_TELEGRAM_TOKEN)"
    async with Bot(settings.telegram.token, base_url=settings.telegram.api_url) as bot:
        me = await bot.get_me()
    return f"ok (@{me.username})"


CHECKS: tuple[Check, ...] = (("database", _database), ("smtp", _smtp), ("imap", _imap),
                             ("telegram", _telegram))


async def run_checks(settings: Settings) -> bool:
    """Print every check's line; True if none failed."""
    ok = True
    for name, check in CHECKS:
        try:
            result = await asyncio.wait_for(check(settings), 20)
        except Exception as exc:  # any failure is reported as that check's line
            result, ok = f"FEIL: {type(exc).__name__}: {exc}", False
        if result.startswith("FEIL"):
            ok = False
        print(f"{name:<9} {result}")
    return ok


def run(args: argparse.Namespace) -> int:
    """Print the settings, then check the connections."""
    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"kvitt: {exc}", file=sys.stderr)
        return 1
    for key, value in settings.masked().items():
        print(f"{key}={value}")
    print()
    return 0 if asyncio.run(run_checks(settings)) else 1
