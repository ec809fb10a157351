"""Admin commands: migrate the database, apply organisations, make invites, look at claims.

Each command is a small coroutine taking the parsed arguments; ``run`` wraps it
so a refusal prints one clear line (in ``KVITT_LANG``) and exit status 2, and a
database that is not migrated prints the command to run and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path

from app.settings import Settings, SettingsError
from app.wiring import service_env
from domain.claim import Claim
from domain.errors import UserError
from domain.money import format_kr
from domain.organisation import OrganisationError
from service import admin
from service.summary import summarise
from store.engine import make_engine
from store.migrate import SchemaNotCurrent, head, upgrade

EXIT_OK, EXIT_NOT_READY, EXIT_REFUSED = 0, 1, 2
Job = Callable[[argparse.Namespace, Settings], Coroutine[object, object, int]]


def run(job: Job) -> Callable[[argparse.Namespace], int]:
    """Run an async command with settings loaded and refusals turned into one line."""
    def runner(args: argparse.Namespace) -> int:
        try:
            settings = Settings.load()
        except SettingsError as exc:
            print(f"kvitt: {exc}", file=sys.stderr)
            return EXIT_NOT_READY
        try:
            return asyncio.run(job(args, settings))
        except SchemaNotCurrent as exc:
            print(f"kvitt: {exc.text.in_(settings.lang)}", file=sys.stderr)
            return EXIT_NOT_READY
        except UserError as exc:
            print(f"kvitt: {exc.text.in_(settings.lang)}", file=sys.stderr)
            return EXIT_REFUSED
    return runner


async def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Create or migrate the database to the newest schema."""
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print(f"Databasen er oppdatert (revisjon {head()}). / Database is up to date.")
    return EXIT_OK


async def org_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Create or update the organisations in each file (idempotent)."""
    async with service_env(settings) as env:
        for file in args.files:
            try:
                results = await admin.apply_organisations(env, Path(file).read_text("utf-8"))
            except OSError as exc:
                print(f"kvitt: {file}: {exc.strerror or exc}", file=sys.stderr)
                return EXIT_REFUSED
            except OrganisationError as exc:
                print(f"kvitt: {file}: {exc}", file=sys.stderr)
                return EXIT_REFUSED
            for org, changed in results:
                state = "oppdatert / applied" if changed else "uendret / unchanged"
                print(f"{org.slug}: {state} ({org.name})")
    return EXIT_OK


async def org_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print an organisation's setup: stages, approvers, catalogue, rules."""
    async with service_env(settings) as env:
        org = await admin.organisation(env, args.slug)
    print(f"{org.name} ({org.slug}), org.nr. {org.org_number}")
    print(f"  satssett / rate set: {org.rate_set}"
          + (f" (egne tabeller: {', '.join(t.name for t in org.rate_tables)})"
             if org.rate_tables else ""))
    print(f"  administratorer / admins: {', '.join(org.admins) or '-'}")
    for number, stage in enumerate(org.stages, start=1):
        print(f"  trinn {number}: {stage.name}: {', '.join(stage.approvers)}")
    for entry in org.catalogue:
        rate = f" {format_kr(entry.rate)} kr/{entry.unit}" if entry.rate is not None else ""
        flags = [name for name, on in (("skattepliktig", entry.taxable),
                                       ("kvittering påkrevd", entry.receipt_required),
                                       ("begrunnelse påkrevd", entry.justification_required))
                 if on]
        print(f"  {entry.code}: {entry.label.nb}{rate} [{', '.join(flags)}]")
    for dim in org.dimensions:
        print(f"  {dim.name}: {', '.join(dim.values) if dim.values else 'fritekst'}")
    policy = org.policy
    print(f"  frist {policy.submit_deadline_months} mnd etter reisen, lønnskjøring den "
          f"{policy.payroll_day}., maks {policy.max_km_per_leg} km per strekning")
    return EXIT_OK


async def invite_create(args: argparse.Namespace, settings: Settings) -> int:
    """Make an invite code and print the Telegram deep link."""
    async with service_env(settings) as env:
        invite = await admin.create_invite(env, args.org, max_uses=args.uses)
    bot = settings.telegram.username or "<bot>"
    print(f"Kode / code: {invite.code}")
    print(f"Lenke / link: https://t.me/{bot}?start={invite.code}")
    print(f"Gyldig til / valid until: {invite.expires_at:%Y-%m-%d %H:%M} UTC, "
          f"{invite.max_uses} gang(er) / use(s)")
    if not settings.telegram.username:
        print("(Sett KVITT_TELEGRAM_BOT_USERNAME for en ferdig lenke. / "
              "Set KVITT_TELEGRAM_BOT_USERNAME for a complete link.)")
    return EXIT_OK


def _line(claim: Claim, total: str, status: str) -> str:
    return f"{claim.reference}  {status:<45} {total:>12}  {claim.title}"


async def claims_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the claims an organisation pays, newest first."""
    async with service_env(settings) as env:
        found = await admin.claims_of(env, args.org)
        org = await admin.organisation(env, args.org)
        for claim in found:
            if args.status and claim.status.value != args.status:
                continue
            others = {slug: await admin.organisation(env, slug) for slug in claim.payers}
            view = summarise(claim, others, env.book.with_tables(org.rate_tables),
                             env.clock().date())
            print(_line(claim, format_kr(view.totals.amount), view.status.in_(settings.lang)))
    return EXIT_OK


async def claims_show(args: argparse.Namespace, settings: Settings) -> int:
    """Show one claim: status, lines with amounts, per payer, approvals and log."""
    async with service_env(settings) as env:
        claim = await admin.claim_for_admin(env, args.reference)
        orgs = {slug: await admin.organisation(env, slug) for slug in claim.payers}
        tables = [t for org in orgs.values() for t in org.rate_tables]
        view = summarise(claim, orgs, env.book.with_tables(tables), env.clock().date())
    lang = settings.lang
    print(f"{claim.reference}: {claim.title} — {view.status.in_(lang)}")
    for number, line in enumerate(view.lines, start=1):
        payer = line.line.payer or "honorarbrøk"
        if line.result is None:
            error = line.error.in_(lang) if line.error else ""
            print(f"  {number}. {line.line.kind} → {payer}: {error}")
            continue
        print(f"  {number}. {line.line.kind} → {payer}: {format_kr(line.result.amount)} "
              f"(trekkfritt {format_kr(line.result.taxfree)})")
        for text in line.result.breakdown:
            print(f"       {text.in_(lang)}")
    totals = view.totals
    print(f"  Sum {format_kr(totals.amount)}, trekkfritt {format_kr(totals.taxfree)}, "
          f"trekkpliktig {format_kr(totals.taxable)}")
    for slug, share in view.payers.items():
        print(f"  {view.payer_names.get(slug, slug)}: {format_kr(share.amount)}")
    for approval in claim.approvals:
        who = f" ({approval.decided_by})" if approval.decided_by else ""
        print(f"  runde {approval.round} {approval.payer} {approval.stage_name}: "
              f"{approval.state}{who}")
    for event in claim.events:
        note = f": {event.text}" if event.text else ""
        print(f"  {event.at:%Y-%m-%d %H:%M} {event.kind} "
              f"{event.actor.kind}/{event.actor.channel}{note}")
    return EXIT_OK
