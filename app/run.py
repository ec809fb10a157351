"""``kvitt run``: the bot, the outbox workers and the inbound worker in one process.

Roles (``--only``): ``bot`` (Telegram polling), ``outbox`` (email and Telegram
notices), ``inbound`` (the reply mailbox), ``scheduler`` (reminders and admin
digests). Several ``outbox`` workers may share one PostgreSQL; ``inbound`` and
``scheduler`` take an advisory lock so exactly one of each is active, and
another takes over when it dies. SIGTERM or SIGINT: stop taking new work, finish
what is in hand (a delivery pass, a message being filed), close connections.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from app.settings import Settings
from app.wiring import service_env
from service.context import Env
from store.engine import make_engine
from store.leader import Leadership

log = logging.getLogger("kvitt.run")
ROLES = ("bot", "outbox", "inbound", "scheduler")


class NotConfigured(RuntimeError):
    """A role was asked for but its settings are missing; the message names them."""


async def _bot(env: Env, settings: Settings, stop: asyncio.Event) -> None:
    from bot.telegram_app import Webhook, build_application, start_bot, stop_bot

    telegram = settings.telegram
    app = build_application(env, telegram.token, api_url=telegram.api_url,
                            max_concurrent_updates=telegram.max_concurrent_updates)
    webhook = Webhook(telegram.webhook_url, telegram.webhook_listen, telegram.webhook_secret) \
        if telegram.webhook_url else None
    await start_bot(app, webhook=webhook)
    log.info("bot %s", "listening for the webhook" if webhook else "polling")
    await stop.wait()
    await stop_bot(app)  # updates in hand are finished first


async def _outbox(env: Env, settings: Settings, stop: asyncio.Event) -> None:
    from telegram import Bot

    from bot.notices import notice_worker
    from bot.telegram_app import file_url
    from mail.outbound import email_worker

    mail = settings.mail
    workers: list[Coroutine[Any, Any, None]] = []
    if mail.smtp_host:
        workers.append(email_worker(env, mail.smtp(), stop, interval=settings.worker_interval))
    if settings.telegram.token:
        api = settings.telegram.api_url
        bot = Bot(settings.telegram.token, base_url=api, base_file_url=file_url(api))
        async with bot:
            await asyncio.gather(*workers, notice_worker(env, bot, stop,
                                                         interval=settings.worker_interval))
        return
    await asyncio.gather(*workers)


async def _inbound(env: Env, settings: Settings, stop: asyncio.Event) -> None:
    from mail.inbound_worker import imap_worker, maildir_pass
    from mail.sources import MaildirSource

    mail = settings.mail
    gateway = mail.gateway()
    if mail.imap_host:
        await imap_worker(env, mail.imap(), gateway, stop, interval=settings.worker_interval)
        return
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


async def _scheduler(env: Env, settings: Settings, stop: asyncio.Event) -> None:
    from datetime import time

    from app.schedule import Schedule, scheduler

    hour, minute = (int(part) for part in settings.digest_at.split(":"))
    await scheduler(env, Schedule(time(hour, minute), settings.digest_weekday), stop)


RUNNERS: dict[str, Callable[[Env, Settings, asyncio.Event], Awaitable[None]]] = {
    "bot": _bot, "outbox": _outbox, "inbound": _inbound, "scheduler": _scheduler}
LED = ("inbound", "scheduler")  # exactly one active across processes


async def run(settings: Settings, roles: tuple[str, ...],
              stop: asyncio.Event | None = None) -> int:
    """Run ``roles`` until SIGTERM/SIGINT (or ``stop``); returns the exit status."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runnable = check_roles(settings, roles)
    async with service_env(settings) as env:
        engine = make_engine(settings.database_url)
        try:
            await asyncio.gather(*(_role(name, env, settings, stop, engine)
                                   for name in runnable))
        finally:
            await engine.dispose()
    log.info("stopped cleanly")
    return 0


async def _role(name: str, env: Env, settings: Settings, stop: asyncio.Event,
                engine: Any) -> None:
    leadership = Leadership(engine, name) if name in LED else None
    if leadership is not None and not await leadership.acquire(stop):
        return
    log.info("role %s started", name)
    try:
        await RUNNERS[name](env, settings, stop)
    finally:
        if leadership is not None:
            await leadership.release()
        log.info("role %s stopped", name)


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
        return asyncio.run(run(Settings.load(), roles))
    except (SettingsError, NotConfigured) as exc:
        print(f"kvitt: {exc}", file=sys.stderr)
    except SchemaNotCurrent as exc:
        print(f"kvitt: {exc.text.nb}", file=sys.stderr)
    return 1
