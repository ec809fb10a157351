"""``kvitt demo``: the whole product, offline, in one command.

The story. Kari Dommer, a handball referee, joins Tromsø HK and Bodø HK by their
invite codes and, in the bot, files one claim for a weekend a few days ago: the
drive Tromsø – Bodø with a passenger, a per diem with a hotel night, a toll
receipt (a photo), and a match fee for each club. The shared lines are split
between the clubs by honorarbrøk. She sends it; each club's approver gets an
approval request by mail with the claim as a PDF and the receipt. Tromsø's
approver replies "Godkjent"; Bodø's replies "RETUR" because a passenger is
missing. Kari gets the notice, opens the claim, changes the driving line and
sends it again; both clubs approve the new round by reply, and the per-payer
totals for payroll are printed with the final status.

Everything runs for real, on 127.0.0.1 and in a temporary folder: a migrated
SQLite database, the example organisations, the bot's dialog engine (the same
``converse`` Telegram calls), the outbox delivery use case, an SMTP server
(aiosmtpd) that delivers into one Maildir per recipient, and the inbound worker
reading Kvitt's Maildir. Only Telegram itself is replaced: its notices are
printed. ``--keep DIR`` leaves the database, the mailboxes and the receipts there.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

from app.demo_chat import DemoChat, DemoError, file_claim, fix, join
from app.demo_mail import Inboxes, mailbox_name, reply, send, shorten, smtp_to_maildir
from app.settings import Settings
from app.wiring import service_env
from bot.dialog.core import Button
from bot.notices import notice
from domain.claim import Claim, Status
from domain.money import format_kr
from domain.organisation import organisations_from_toml
from mail.compose import render_digest
from mail.gateway import GatewaySettings
from mail.inbound_worker import maildir_pass
from mail.outbound import SmtpSettings, sender
from mail.sources import MaildirSource
from service import admin
from service.context import Env, book_for
from service.delivery import Sender, deliver_due
from service.digest import digest, digest_mail
from service.payroll import next_run, payroll_export, render_csv
from service.ports import OutboxRow
from service.summary import ClaimSummary, summarise
from store.engine import make_engine
from store.migrate import upgrade

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "handball-region-nord.toml"
CLUBS = ("tromso-hk", "bodo-hk")
KARI = 4242  # her Telegram user id
RETURN = "RETUR Passasjeren Ola Nordmann mangler på kjøringen."
INTRO = (
    "Kvitt demo: alt kjører her, uten nett og kontoer / everything runs here, offline",
    "  SQLite-database, eksempelorganisasjonene, botens dialogmotor (den Telegram bruker),",
    "  SMTP-tjener (aiosmtpd) på 127.0.0.1 som leverer til én Maildir per mottaker.",
    "  Kvitt leser godkjennernes svar fra sin Maildir (ikke IMAP / not IMAP);",
    "  Telegram-varslene skrives ut her / Telegram notices are printed here.")


def say(text: str = "") -> None:
    """Print one line of the demo."""
    print(text, flush=True)


def heading(text: str) -> None:
    """A chapter of the story."""
    say(f"\n== {text} ==")


@dataclass
class Demo:
    """What the story's steps share: the service, the mail system and Kari's chat."""

    env: Env
    mail_root: Path
    smtp: SmtpSettings
    gateway: GatewaySettings
    chat: DemoChat
    inboxes: Inboxes
    requests: dict[str, EmailMessage]  # the newest approval request per approver


async def setup(env: Env) -> list[str]:
    """The admins load the example organisations and make an invite per club."""
    heading("Oppsett / setup: kvitt org apply examples/handball-region-nord.toml")
    for org, _ in await admin.apply_organisations(env, EXAMPLES.read_text("utf-8")):
        say(f"  {org.slug}: {org.name}, godkjenner / approver {org.stages[0].approvers[0]}")
    codes = [(await admin.create_invite(env, slug)).code for slug in CLUBS]
    say(f"  kvitt invite create tromso-hk → {codes[0]};  kvitt invite create bodo-hk → {codes[1]}")
    return codes


async def deliver(demo: Demo) -> None:
    """The outbox workers' pass: mail through SMTP into the Maildirs, then Telegram notices."""
    mail = await deliver_due(demo.env, "email", sender(demo.env, demo.smtp))
    if mail.retried or mail.failed:
        raise DemoError(f"{mail.retried + mail.failed} mail(s) not delivered to the demo's "
                        f"SMTP server on 127.0.0.1:{demo.smtp.port}")
    say(f"  [utboks / outbox: {mail.sent} e-post sendt via SMTP 127.0.0.1:{demo.smtp.port}]")
    for message in demo.inboxes.new():
        if str(message["Message-ID"]).startswith("<kvitt.approval_request."):
            demo.requests[str(message["To"])] = message
        for line in shorten(message, keep=("TIL BETALING", "Hele kravet")):
            say("  " + line)
    notices = await deliver_due(demo.env, "telegram", telegram_printer(demo.chat))
    if notices.retried or notices.failed:
        raise DemoError("a Telegram notice could not be rendered")


def telegram_printer(chat: DemoChat) -> Sender:
    """A Telegram sender without Telegram: the bot's notice, shown in Kari's chat."""
    async def send_notice(row: OutboxRow) -> None:
        text, markup = notice(row.message)
        buttons = [Button(b.text, str(b.callback_data)) for r in markup.inline_keyboard
                   for b in r]
        chat.say(f"  📱 Telegram → chat {row.message.recipient} (varsel / notice):")
        chat.notice(text, buttons)
    return send_notice


async def answer(demo: Demo, approver: str, text: str) -> None:
    """The approver presses Reply and writes ``text``; the inbound worker reads Kvitt's box."""
    message = reply(demo.requests[approver], approver, text)
    say(f"\n  {approver} svarer / replies:")
    for line in shorten(message, lines=4):
        say("  " + line)
    await send(message, demo.smtp.port)
    inbound = demo.mail_root / mailbox_name(demo.gateway.reply_pattern)
    handled = await maildir_pass(demo.env, MaildirSource(inbound), demo.gateway)
    say(f"  [innboks / inbound: {handled} svar lest fra Maildir {inbound.name} → .Processed]")
    say(f"  Status: {(await claim_view(demo.env)).status.nb}")
    await deliver(demo)


async def claim_view(env: Env) -> ClaimSummary:
    """The claim as an admin sees it (``kvitt claims show``)."""
    claim = (await admin.claims_of(env, CLUBS[0]))[0]
    orgs = {slug: await admin.organisation(env, slug) for slug in claim.payers}
    return summarise(claim, orgs, book_for(env, orgs), env.clock().date())


async def payroll(env: Env, folder: Path) -> None:
    """Each club's admin digest (shortened) and payroll CSV, kept in the data folder.

    The same use cases as ``kvitt digest`` and ``kvitt export payroll``.
    """
    view = await claim_view(env)
    now = env.clock()
    for slug in view.claim.payers:
        org = await admin.organisation(env, slug)
        subject, text, _ = render_digest(digest_mail(await digest(env, slug, now)))
        heading(f"Digest til / to {', '.join(org.admins) or org.name}: {subject}")
        for line in [line for line in text.splitlines() if line.strip()][:12]:
            say(f"  {line}")
        run = next_run(org, now)
        csv = render_csv(await payroll_export(env, slug, run.period))
        path = folder / f"lonn-{slug}-{run.period}.csv"
        path.write_bytes(csv)
        heading(f"Lønnsfil / payroll CSV {path.name} (lønnskjøring {run.payroll_date:%d.%m.%Y})")
        for line in csv.decode("utf-8").splitlines():
            say(f"  {line}")


async def final_status(env: Env) -> None:
    """The claim's status, each club's approval per round, and the totals."""
    heading("Sluttstatus / final status")
    view = await claim_view(env)
    claim = view.claim
    say(f"  {claim.reference} «{claim.title}»: Status: {view.status.nb} / {view.status.en}")
    for approval in claim.approvals:
        who = f" av / by {approval.decided_by}" if approval.decided_by else ""
        say(f"  runde / round {approval.round}, {view.payer_names[approval.payer]}: "
            f"{approval.state}{who}")
    totals = view.totals
    say(f"  Sum {format_kr(totals.amount)} kr: trekkfritt {format_kr(totals.taxfree)}, "
        f"trekkpliktig {format_kr(totals.taxable)}")


async def story(demo: Demo, codes: list[str]) -> None:
    """The claim from joining to approved, chapter by chapter."""
    day1 = demo.env.clock().date() - timedelta(days=5)
    heading("Kari blir med i begge klubbene / Kari joins both clubs (Telegram)")
    await join(demo.chat, codes)
    heading("Kari fører kravet / Kari files the claim")
    await file_claim(demo.chat, day1)
    heading("Godkjenningsforespørsler / approval requests (SMTP → Maildir)")
    await deliver(demo)
    heading("Tromsø godkjenner, Bodø sender i retur / Tromsø approves, Bodø returns")
    await answer(demo, "dommer@tromso-hk.no", "Godkjent")
    await answer(demo, "dommer@bodo-hk.no", RETURN)
    heading("Kari retter og sender på nytt / Kari fixes and resubmits")
    await fix(demo.chat, day1)
    await deliver(demo)
    heading("Begge godkjenner den nye runden / both approve the new round")
    for approver in ("dommer@tromso-hk.no", "dommer@bodo-hk.no"):
        await answer(demo, approver, "Godkjent")


async def run_demo(data_dir: Path) -> Claim:
    """Run the story in ``data_dir`` (empty or new); returns the claim as it ended."""
    settings = Settings.load({"KVITT_DATA_DIR": str(data_dir)}, env_file=None)
    engine = make_engine(settings.database_url)
    await upgrade(engine)
    await engine.dispose()
    mail = settings.mail
    mail_root = data_dir / "mail"
    mail_root.mkdir()
    for line in INTRO:
        say(line)
    async with service_env(settings) as live, smtp_to_maildir(mail_root) as port:
        env = replace(live, clock=demo_clock(live))
        smtp, gateway = mail.smtp("127.0.0.1", port), mail.gateway()
        inboxes = Inboxes(mail_root, skip=mailbox_name(mail.reply_pattern))
        demo = Demo(env, mail_root, smtp, gateway, DemoChat(env, KARI, "Kari", say), inboxes,
                    {})
        await story(demo, await setup(env))
        await payroll(env, data_dir)
        await final_status(env)
        return (await claim_view(env)).claim


def demo_clock(env: Env) -> Callable[[], datetime]:
    """The real clock, unless the shipped rate tables do not reach this far yet.

    Each year's rates are added when published (RATES.md); until then a trip "a few
    days ago" in January could not be computed, so the demo runs as of the last
    covered day and says so.
    """
    region = organisations_from_toml(EXAMPLES.read_text())[0][0].rate_tables
    last = min(max(t.valid_to for t in (*env.book.tables, *region) if t.name == name)
               for name in ("state", "taxfree", "handball-nord"))
    now = env.clock()
    if now.date() <= last:
        return env.clock
    pinned = datetime.combine(last - timedelta(days=10), time(12), tzinfo=UTC)
    say(f"(Satsene etter {last:%d.%m.%Y} er ikke lagt inn ennå: demoen kjører som om det "
        f"var {pinned:%d.%m.%Y}. / Rates after that date are not in yet.)")
    return lambda: pinned + (env.clock() - now)


def demo(args: argparse.Namespace) -> int:
    """``kvitt demo [--keep DIR]``: 0 when the claim ends approved."""
    if isinstance(sys.stdout, io.TextIOWrapper):  # the story is Norwegian, whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    if not EXAMPLES.is_file():
        print(f"kvitt demo: {EXAMPLES} is missing; run it from a source checkout "
              "(pip install -e .)", file=sys.stderr)
        return 1
    keep = Path(args.keep) if args.keep else None
    if keep is not None and keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
        print(f"kvitt demo: {keep} is not empty; give --keep a new or empty folder",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kvitt-demo-") as folder:
        data_dir = keep or Path(folder)
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            claim = asyncio.run(run_demo(data_dir))
        except DemoError as exc:
            print(f"kvitt demo: {exc}", file=sys.stderr)
            return 1
    if keep is not None:
        say(f"\nDatabasen, e-posten (en Maildir per mottaker) og vedleggene ligger i / "
            f"the database, mail and attachments are in {keep}")
        say(f"  KVITT_DATA_DIR={keep} kvitt claims show {claim.reference}")
    approved = claim.status is Status.APPROVED
    say("Ferdig. / Done." if approved else f"kvitt demo: the claim ended {claim.status.value}")
    return 0 if approved else 1
