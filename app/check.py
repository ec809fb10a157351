"""``kvitt check``: the effective settings (secrets masked) and a live test of each connection.

One line per check, ``ok`` or what failed and which setting to look at, in
``KVITT_LANG``; exit 0 only if everything the asked-for roles need works. Nothing
is sent or changed. ``--only`` takes the roles as ``kvitt run --only`` does
(default: all of them); a role that needs something missing fails its line, so
``kvitt check`` never passes a setup on which ``kvitt run`` would start without its
bot (no ``KVITT_TELEGRAM_TOKEN``) or read replies from a Maildir nobody delivers
to (a ``KVITT_MAILDIR`` that does not exist).
Before the checks, for each role a running ``kvitt run`` on this machine supervises,
its last state (running, waiting for the lock, retrying and why), from
``<data dir>/status``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from app.run import ROLES
from app.settings import Settings, SettingsError
from app.setup_problems import setup_problem
from domain.text import Text

Result = tuple[bool, Text]
Check = tuple[str, Callable[[Settings, tuple[str, ...]], Awaitable[Result]]]
OK = Text("ok", "ok")
FAILED = Text("FEIL", "FAILED")


def _not_set(name: str) -> Result:
    return True, Text(f"ikke satt ({name})", f"not set ({name})")


async def _database(settings: Settings, roles: tuple[str, ...]) -> Result:
    from sqlalchemy.engine import make_url

    from store.engine import make_engine
    from store.migrate import SchemaNotCurrent, check_current, head

    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").exists():
        raise SchemaNotCurrent(None, head())  # opening it would create an empty file
    engine = make_engine(settings.database_url)
    try:
        await check_current(engine)
    finally:
        await engine.dispose()
    return True, OK


def _unreachable(server: str, host: str, port: int, prefix: str, exc: BaseException) -> Text:
    """A mail server that cannot be reached: its own settings, not the database's."""
    cause: BaseException = exc
    while cause.__cause__ is not None:
        cause = cause.__cause__
    return Text(f"Får ikke kontakt med {server}-tjeneren på {host}:{port} "
                f"({type(cause).__name__}). Rett {prefix}_HOST, {prefix}_PORT og "
                f"{prefix}_SECURITY, eller sjekk at tjeneren svarer.",
                f"Cannot reach the {server} server at {host}:{port} ({type(cause).__name__}). "
                f"Correct {prefix}_HOST, {prefix}_PORT and {prefix}_SECURITY, or check that "
                "the server answers.")


def _login_refused(server: str, host: str, port: int, user: str, prefix: str) -> Text:
    return Text(f"{server}-tjeneren på {host}:{port} avviste innloggingen som «{user}». Rett "
                f"{prefix}_USER og {prefix}_PASSWORD.",
                f"The {server} server at {host}:{port} refused the login as “{user}”. Correct "
                f"{prefix}_USER and {prefix}_PASSWORD.")


async def _smtp(settings: Settings, roles: tuple[str, ...]) -> Result:
    import aiosmtplib

    mail = settings.mail
    if not mail.smtp_host:
        return _not_set("KVITT_SMTP_HOST")
    client = aiosmtplib.SMTP(hostname=mail.smtp_host, port=mail.smtp_port, timeout=10,
                             use_tls=mail.smtp_security == "tls",
                             start_tls=mail.smtp_security == "starttls")
    try:
        await client.connect()
    except (OSError, aiosmtplib.SMTPException) as exc:
        return False, _unreachable("SMTP", mail.smtp_host, mail.smtp_port, "KVITT_SMTP", exc)
    if mail.smtp_user:
        try:
            await client.login(mail.smtp_user, mail.smtp_password)
        except aiosmtplib.SMTPAuthenticationError:
            return False, _login_refused("SMTP", mail.smtp_host, mail.smtp_port,
                                         mail.smtp_user, "KVITT_SMTP")
    with contextlib.suppress(Exception):
        await client.quit()
    return True, OK


async def _imap(settings: Settings, roles: tuple[str, ...]) -> Result:
    from mail.sources import ImapSource

    mail = settings.mail
    if mail.imap_host:
        from imap_tools.errors import MailboxLoginError

        try:
            source = await asyncio.to_thread(ImapSource, mail.imap())
        except MailboxLoginError:
            return False, _login_refused("IMAP", mail.imap_host, mail.imap_port,
                                         mail.imap_user, "KVITT_IMAP")
        except OSError as exc:
            return False, _unreachable("IMAP", mail.imap_host, mail.imap_port, "KVITT_IMAP",
                                       exc)
        await asyncio.to_thread(source.close)
        return True, Text("ok (Processed og Rejected finnes)", "ok (Processed and Rejected exist)")
    if not mail.maildir:
        return _not_set("KVITT_IMAP_HOST, KVITT_MAILDIR")
    folder = Path(mail.maildir)
    if not all((folder / part).is_dir() for part in ("cur", "new", "tmp")):
        return False, Text(f"Maildir {folder} finnes ikke (cur, new og tmp mangler). Rett "
                           "KVITT_MAILDIR til mappen e-posttjeneren leverer svarene i.",
                           f"the Maildir {folder} does not exist (no cur, new and tmp). Point "
                           "KVITT_MAILDIR at the folder the mail server delivers replies to.")
    return True, Text(f"ok (Maildir {folder})", f"ok (Maildir {folder})")


async def _telegram(settings: Settings, roles: tuple[str, ...]) -> Result:
    from telegram import Bot

    if not settings.telegram.token:
        if "bot" not in roles:
            return _not_set("KVITT_TELEGRAM_TOKEN")
        others = ",".join(role for role in roles if role != "bot") or "outbox"
        return False, Text("KVITT_TELEGRAM_TOKEN er ikke satt, men bot-rollen er med. Sett "
                           f"tokenet fra BotFather, eller kjør uten bot: --only {others}",
                           "KVITT_TELEGRAM_TOKEN is not set, but the bot role is on. Set the "
                           f"token from BotFather, or run without the bot: --only {others}")
    async with Bot(settings.telegram.token, base_url=settings.telegram.api_url) as bot:
        me = await bot.get_me()
    return True, Text(f"ok (@{me.username})", f"ok (@{me.username})")


CHECKS: tuple[Check, ...] = (("database", _database), ("smtp", _smtp), ("imap", _imap),
                             ("telegram", _telegram))


async def run_checks(settings: Settings, roles: tuple[str, ...] = ROLES) -> bool:
    """Print every check's line; True if none failed."""
    from store.migrate import SchemaNotCurrent

    lang, all_ok = settings.lang, True
    for name, check in CHECKS:
        try:
            ok, text = await asyncio.wait_for(check(settings, roles), 20)
        except SchemaNotCurrent as exc:
            ok, text = False, exc.text
        except Exception as exc:  # any failure is reported as that check's line
            # the database's own words only for the database: a mail server's failure
            # must not send the admin to KVITT_DATABASE_URL
            problem = setup_problem(exc, settings) if name == "database" else None
            ok, text = False, problem or Text(f"{type(exc).__name__}: {exc}",
                                              f"{type(exc).__name__}: {exc}")
        all_ok = all_ok and ok
        line = text.in_(lang) if ok else f"{FAILED.in_(lang)}: {text.in_(lang)}"
        print(f"{name:<9} {line}")
    return all_ok


def run(args: argparse.Namespace) -> int:
    """Print the settings, then check the connections the roles need."""
    roles = tuple(r.strip() for r in args.only.split(",")) if args.only else ROLES
    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"kvitt: {exc}", file=sys.stderr)
        return 1
    if unknown := [r for r in roles if r not in ROLES]:
        named, known = ", ".join(unknown), ", ".join(ROLES)
        print("kvitt: " + Text(f"ukjent rolle {named}; rollene er: {known}",
                               f"unknown role {named}; roles: {known}").in_(settings.lang),
              file=sys.stderr)
        return 2
    for key, value in settings.masked().items():
        print(f"{key}={value}")
    print()
    print_roles(settings)
    ok = asyncio.run(run_checks(settings, roles))
    return 0 if ok else 1


def print_roles(settings: Settings) -> None:
    """The supervised roles of running processes: ``role <unit> <state> (pid) detail``."""
    from app.supervisor import read_statuses

    statuses = read_statuses(Path(settings.data_dir) / "status")
    if not statuses:
        print("roles     " + Text("ingen kvitt run i gang her",
                                  "no kvitt run running here").in_(settings.lang))
    for status in statuses:
        print(f"role {status.unit:<16} {status.state} (pid {status.pid}, {status.since})"
              + (f": {status.detail}" if status.detail else ""))
