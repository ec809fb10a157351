"""``kvitt run``: the bot, the outbox workers and the inbound worker in one process.

Roles (``--only``): ``bot`` (Telegram polling), ``outbox`` (email and Telegram
notices), ``inbound`` (the reply mailbox), ``scheduler`` (reminders and admin
digests). Several ``outbox`` workers may share one PostgreSQL; ``inbound`` and
``scheduler`` take an advisory lock so exactly one of each is active, and
another takes over when it dies. SIGTERM or SIGINT: stop taking new work, finish
what is in hand (a delivery pass, a message being filed), close connections.

Each role runs under its own supervisor (``app.supervisor``): one that fails (Telegram,
SMTP, IMAP or the database away, or a bug) is restarted after a capped backoff while the
others go on, so the process never ends for one role's sake. The outbox is two units,
``outbox-email`` and ``outbox-telegram``, so mail goes out while Telegram is down.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.settings import Settings
from app.supervisor import Ready, StatusBoard, supervise
from app.wiring import service_env
from service.context import Env
from store.engine import make_engine
from store.leader import Leadership

log = logging.getLogger("kvitt.run")
ROLES = ("bot", "outbox", "inbound", "scheduler")


class NotConfigured(RuntimeError):
    """A role was asked for but its settings are missing; the message names them."""


async def _bot(env: Env, settings: Settings, stop: asyncio.Event, ready: Ready) -> None:
    from bot.telegram_app import Webhook, build_application, start_bot, stop_bot

    telegram = settings.telegram
    app = build_application(env, telegram.token, api_url=telegram.api_url,
                            max_concurrent_updates=telegram.max_concurrent_updates)
    webhook = Webhook(telegram.webhook_url, telegram.webhook_listen, telegram.webhook_secret) \
        if telegram.webhook_url else None
    try:
        await start_bot(app, webhook=webhook)  # raises while the Bot API is unreachable
        ready()
        log.info("bot %s", "listening for the webhook" if webhook else "polling")
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):  # a half-started bot: close what it opened
            await stop_bot(app)  # updates in hand are finished first


async def _outbox_email(env: Env, settings: Settings, stop: asyncio.Event,
                        ready: Ready) -> None:
    from mail.outbound import email_worker

    ready()  # an SMTP server that is away is the rows' retry, not the role's
    await email_worker(env, settings.mail.smtp(), stop, interval=settings.worker_interval)


async def _outbox_telegram(env: Env, settings: Settings, stop: asyncio.Event,
                           ready: Ready) -> None:
    from telegram import Bot

    from bot.notices import notice_worker
    from bot.telegram_app import file_url

    api = settings.telegram.api_url
    async with Bot(settings.telegram.token, base_url=api, base_file_url=file_url(api)) as bot:
        ready()  # getMe answered
        await notice_worker(env, bot, stop, interval=settings.worker_interval)


async def _inbound(env: Env, settings: Settings, stop: asyncio.Event, ready: Ready) -> None:
    from mail.inbound_worker import imap_worker, maildir_pass
    from mail.sources import MaildirSource

    mail = settings.mail
    gateway = mail.gateway()
    if mail.imap_host:
        # the worker retries a mailbox that is away by itself, and says so in the status
        await imap_worker(env, mail.imap(), gateway, stop, interval=settings.worker_interval,
                          health=ready)
        return
    ready("leading")
    source = MaildirSource(Path(mail.maildir))
    while not stop.is_set():
        if await maildir_pass(env, source, gateway) == 0:
            with contextlib.suppress(TimeoutError):  # nothing new: look again soon
                await asyncio.wait_for(stop.wait(), settings.worker_interval)


def check_roles(settings: Settings, roles: tuple[str, ...]) -> list[str]:
    """The roles this configuration can run.

    A role asked for alone (``--only``) without its settings is refused, naming them;
    among all roles, an unconfigured one is skipped with a log line.
    """
    missing = {"bot": [] if settings.telegram.token else ["KVITT_TELEGRAM_TOKEN"],
               "inbound": [] if settings.mail.imap_host or settings.mail.maildir else
               ["KVITT_IMAP_HOST or KVITT_MAILDIR"],
               "outbox": [] if settings.mail.smtp_host or settings.telegram.token else
               ["KVITT_SMTP_HOST or KVITT_TELEGRAM_TOKEN"],
               "scheduler": []}
    runnable = []
    for role in roles:
        if not missing[role]:
            runnable.append(role)
        elif len(roles) == 1:
            raise NotConfigured(f"--only {role} needs {', '.join(missing[role])}")
        else:
            log.warning("role %s not started: set %s", role, ", ".join(missing[role]))
    return runnable


async def _scheduler(env: Env, settings: Settings, stop: asyncio.Event, ready: Ready) -> None:
    from datetime import time

    from app.schedule import Schedule, scheduler

    ready("leading")
    hour, minute = (int(part) for part in settings.digest_at.split(":"))
    await scheduler(env, Schedule(time(hour, minute), settings.digest_weekday), stop)


Runner = Callable[[Env, Settings, asyncio.Event, Ready], Awaitable[None]]
RUNNERS: dict[str, Runner] = {
    "bot": _bot, "outbox-email": _outbox_email, "outbox-telegram": _outbox_telegram,
    "inbound": _inbound, "scheduler": _scheduler}
LED = ("inbound", "scheduler")  # exactly one active across processes


def units(settings: Settings, role: str) -> list[str]:
    """The supervised units of a role (the outbox has one per configured channel)."""
    if role != "outbox":
        return [role]
    return [unit for unit, configured in (("outbox-email", settings.mail.smtp_host),
                                          ("outbox-telegram", settings.telegram.token))
            if configured]


async def run(settings: Settings, roles: tuple[str, ...],
              stop: asyncio.Event | None = None) -> int:
    """Run ``roles`` until SIGTERM/SIGINT (or ``stop``); returns the exit status."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runnable = check_roles(settings, roles)
    board = StatusBoard(Path(settings.data_dir) / "status")
    async with service_env(settings) as env:
        engine = make_engine(settings.database_url)
        try:
            await asyncio.gather(*(
                supervise(unit, functools.partial(_unit, unit, env, settings, stop, engine,
                                                  board), stop, board)
                for role in runnable for unit in units(settings, role)))
        finally:
            await engine.dispose()
            board.clear()
    log.info("stopped cleanly")
    return 0


async def _unit(name: str, env: Env, settings: Settings, stop: asyncio.Event,
                engine: Any, board: StatusBoard, ready: Ready) -> None:
    """One run of a unit: for a led role, wait for the lock and give up the role with it.

    The unit calls ``ready`` once it works (the bot: once the Bot API has answered).
    """
    if name not in LED:
        log.info("role %s started", name)
        await RUNNERS[name](env, settings, stop, ready)
        log.info("role %s stopped", name)
        return
    leadership = Leadership(engine, name)
    board.set(name, "waiting", "for the advisory lock (another process leads)")
    try:
        if not await leadership.acquire(stop):
            return
        log.info("role %s started", name)
        work = asyncio.ensure_future(RUNNERS[name](env, settings, stop, ready))
        watch = asyncio.ensure_future(leadership.hold(stop))
        done, _ = await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
        lost = watch.exception() if watch in done else None
        if lost is not None:
            work.cancel()  # the lock is gone: another process may lead now
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            raise lost
        try:
            await work  # stop was set, or the role ended or failed: its result counts
        finally:
            watch.cancel()
        log.info("role %s stopped", name)
    finally:
        await leadership.release()


def main(args: argparse.Namespace) -> int:
    """``kvitt run [--only ROLE[,ROLE]] [--log-level LEVEL]``."""
    from app.logs import configure
    from app.settings import SettingsError
    from store.migrate import SchemaNotCurrent

    configure(args.log_level)
    roles = tuple(r.strip() for r in args.only.split(",")) if args.only else ROLES
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        print(f"kvitt: unknown role {', '.join(unknown)}; roles: {', '.join(ROLES)}",
              file=sys.stderr)
        return 2
    try:
        settings = Settings.load()
        configure(args.log_level, settings.log_format)
        return asyncio.run(run(settings, roles))
    except (SettingsError, NotConfigured) as exc:
        print(f"kvitt: {exc}", file=sys.stderr)
    except SchemaNotCurrent as exc:
        print(f"kvitt: {exc.text.nb}", file=sys.stderr)
    return 1
