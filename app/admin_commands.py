"""Admin commands: migrate the database, apply organisations, make invites, look at claims.

Each command is a small coroutine taking the parsed arguments; ``run`` wraps it so
that nothing an admin can get wrong shows a traceback. Exit status (as the README
says): 0 done; 2 a refusal of what was asked (an unknown organisation, a broken
file); 1 a setup problem (a wrong setting, a database that is unreachable, missing
or not migrated, a data folder that cannot be written), with the one line saying
what to do. Every message is in ``KVITT_LANG``, one language at a time; times are
Oslo time and say so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path

from app.settings import Settings, SettingsError
from app.setup_problems import setup_problem
from app.wiring import service_env
from domain.calendar import OSLO
from domain.claim import Actor, Approval, Claim
from domain.errors import UserError
from domain.events import EVENT_TEXT, LineAdded, LineChanged, LineRemoved
from domain.lines import LINE_KINDS
from domain.money import format_kr
from domain.organisation import OrganisationError
from domain.text import Text
from service import admin
from service.summary import summarise
from store.engine import make_engine
from store.migrate import SchemaNotCurrent, head, upgrade

EXIT_OK, EXIT_NOT_READY, EXIT_REFUSED = 0, 1, 2
Job = Callable[[argparse.Namespace, Settings], Coroutine[object, object, int]]

TEXT = {
    "upgraded": Text("Databasen er oppdatert (revisjon {head}).",
                     "The database is up to date (revision {head})."),
    "applied": Text("oppdatert", "applied"),
    "unchanged": Text("uendret", "unchanged"),
    "nothing_applied": Text("kvitt: ingenting er endret; rett filen og kjør på nytt.",
                            "kvitt: nothing was changed; correct the file and run again."),
    "rate_set": Text("satssett", "rate set"),
    "own_tables": Text("egne tabeller", "own tables"),
    "admins": Text("administratorer", "admins"),
    "stage": Text("trinn", "stage"),
    "free_text": Text("fritekst", "free text"),
    "taxable": Text("skattepliktig", "taxable"),
    "receipt": Text("kvittering påkrevd", "receipt required"),
    "justification": Text("begrunnelse påkrevd", "justification required"),
    "policy": Text("frist {months} mnd etter reisen, lønnskjøring den {day}., maks {km} km "
                   "per strekning",
                   "deadline {months} months after the trip, payroll on day {day}, at most "
                   "{km} km per leg"),
    "code": Text("Kode: {code}", "Code: {code}"),
    "link": Text("Lenke: {link}", "Link: {link}"),
    "valid": Text("Gyldig til {until}, {uses} gang(er)", "Valid until {until}, {uses} use(s)"),
    "no_bot": Text("(Sett KVITT_TELEGRAM_BOT_USERNAME for en ferdig lenke.)",
                   "(Set KVITT_TELEGRAM_BOT_USERNAME for a complete link.)"),
    "no_claims": Text("{org} har ingen krav{status}.", "{org} has no claims{status}."),
    "with_status": Text(" med status {status}", " with status {status}"),
    "split": Text("honorarbrøk", "split by fee fraction"),
    "taxfree": Text("trekkfritt", "tax-free"),
    "totals": Text("Sum {amount}, trekkfritt {taxfree}, trekkpliktig {taxable}",
                   "Total {amount}, tax-free {taxfree}, taxable {taxable}"),
    "round": Text("runde {round}", "round {round}"),
}
APPROVAL = {"pending": Text("venter på et tidligere trinn", "waiting for an earlier stage"),
            "open": Text("venter på svar", "awaiting a decision"),
            "approved": Text("godkjent", "approved"),
            "returned": Text("sendt i retur", "returned"),
            "closed": Text("avsluttet (ny runde)", "closed (a new round)")}
ACTOR = {"claimant": Text("kravstiller", "claimant"), "approver": Text("godkjenner", "approver"),
         "admin": Text("administrator", "admin"), "system": Text("Kvitt", "Kvitt")}
CHANNEL = {"telegram": Text("i Telegram", "in Telegram"), "email": Text("på e-post", "by email"),
           "cli": Text("på kommandolinjen", "on the command line"), "system": Text("", "")}


def say(text: Text, lang: str, **values: object) -> str:
    """``text`` in ``lang`` with ``values`` filled in."""
    return text.in_(lang).format(**values)


def oslo(at: datetime) -> str:
    """A moment as Oslo wall-clock time, marked so nobody reads it as UTC."""
    return f"{at.astimezone(OSLO):%Y-%m-%d %H:%M} (Oslo)"


def run(job: Job) -> Callable[[argparse.Namespace], int]:
    """Run an async command with settings loaded; every mistake is one line and a status."""
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
        except Exception as exc:
            problem = setup_problem(exc, settings)
            if problem is None:
                raise  # not the admin's mistake: a bug, with its traceback
            print(f"kvitt: {problem.in_(settings.lang)}", file=sys.stderr)
            return EXIT_NOT_READY
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
    print(say(TEXT["upgraded"], settings.lang, head=head()))
    return EXIT_OK


def file_problem(exc: OSError | UnicodeDecodeError, *, writing: bool = False) -> Text:
    """Why a file given on the command line could not be read (or written), in words."""
    if isinstance(exc, FileNotFoundError):
        return (Text("mappen finnes ikke", "the folder does not exist") if writing
                else Text("filen finnes ikke", "no such file"))
    if isinstance(exc, IsADirectoryError):
        return Text("er en mappe, ikke en fil", "is a folder, not a file")
    if isinstance(exc, PermissionError):
        return (Text("har ikke lov til å skrive filen", "not allowed to write the file")
                if writing else Text("har ikke lov til å lese filen",
                                     "not allowed to read the file"))
    if isinstance(exc, UnicodeDecodeError):
        return Text("filen er ikke UTF-8-tekst; lagre den som UTF-8",
                    "the file is not UTF-8 text; save it as UTF-8")
    reason = exc.strerror or type(exc).__name__
    return (Text(f"kan ikke skrive filen ({reason})", f"cannot write the file ({reason})")
            if writing else Text(f"kan ikke lese filen ({reason})",
                                 f"cannot read the file ({reason})"))


async def org_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Create or update the organisations in the files: all of them, or none."""
    files = []
    for file in args.files:
        try:
            files.append((str(file), Path(file).read_text("utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"kvitt: {file}: {file_problem(exc).in_(settings.lang)}", file=sys.stderr)
            print(TEXT["nothing_applied"].in_(settings.lang), file=sys.stderr)
            return EXIT_REFUSED
    async with service_env(settings) as env:
        try:
            results = await admin.apply_organisation_files(env, files)
        except OrganisationError as exc:
            print(f"kvitt: {exc.in_(settings.lang)}", file=sys.stderr)
            print(TEXT["nothing_applied"].in_(settings.lang), file=sys.stderr)
            return EXIT_REFUSED
    for org, changed in results:
        print(f"{org.slug}: {say(TEXT['applied' if changed else 'unchanged'], settings.lang)} "
              f"({org.name})")
    return EXIT_OK


async def org_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print an organisation's setup: stages, approvers, catalogue, rules."""
    async with service_env(settings) as env:
        org = await admin.organisation(env, args.slug)
    lang = settings.lang
    tables = (f" ({say(TEXT['own_tables'], lang)}: {', '.join(t.name for t in org.rate_tables)})"
              if org.rate_tables else "")
    print(f"{org.name} ({org.slug}), org.nr. {org.org_number}")
    print(f"  {say(TEXT['rate_set'], lang)}: {org.rate_set}{tables}")
    print(f"  {say(TEXT['admins'], lang)}: {', '.join(org.admins) or '-'}")
    for number, stage in enumerate(org.stages, start=1):
        print(f"  {say(TEXT['stage'], lang)} {number}: {stage.name}: "
              f"{', '.join(stage.approvers)}")
    for entry in org.catalogue:
        rate = f" {format_kr(entry.rate)} kr/{entry.unit}" if entry.rate is not None else ""
        flags = [say(TEXT[name], lang) for name, on in (
            ("taxable", entry.taxable), ("receipt", entry.receipt_required),
            ("justification", entry.justification_required)) if on]
        print(f"  {entry.code}: {entry.label.in_(lang)}{rate} [{', '.join(flags)}]")
    for dim in org.dimensions:
        values = ', '.join(dim.values) if dim.values else say(TEXT["free_text"], lang)
        print(f"  {dim.name}: {values}")
    policy = org.policy
    print("  " + say(TEXT["policy"], lang, months=policy.submit_deadline_months,
                     day=policy.payroll_day, km=policy.max_km_per_leg))
    return EXIT_OK


async def invite_create(args: argparse.Namespace, settings: Settings) -> int:
    """Make an invite code and print the Telegram deep link."""
    async with service_env(settings) as env:
        invite = await admin.create_invite(env, args.org, max_uses=args.uses)
    lang, bot = settings.lang, settings.telegram.username or "<bot>"
    print(say(TEXT["code"], lang, code=invite.code))
    print(say(TEXT["link"], lang, link=f"https://t.me/{bot}?start={invite.code}"))
    print(say(TEXT["valid"], lang, until=oslo(invite.expires_at), uses=invite.max_uses))
    if not settings.telegram.username:
        print(say(TEXT["no_bot"], lang))
    return EXIT_OK


def _line(claim: Claim, total: str, status: str) -> str:
    return f"{claim.reference}  {status:<45} {total:>12}  {claim.title}"


async def claims_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the claims an organisation pays, newest first; say so when there are none."""
    shown = 0
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
            shown += 1
    if not shown:
        status = say(TEXT["with_status"], settings.lang, status=args.status) \
            if args.status else ""
        print(say(TEXT["no_claims"], settings.lang, org=args.org, status=status))
    return EXIT_OK


def _approval(approval: Approval, lang: str) -> str:
    who = f" ({approval.decided_by})" if approval.decided_by else ""
    when = f" {oslo(approval.decided_at)}" if approval.decided_at else ""
    return (f"  {say(TEXT['round'], lang, round=approval.round)}, {approval.payer}, "
            f"{approval.stage_name}: {say(APPROVAL[approval.state], lang)}{who}{when}")


def _actor(actor: Actor, lang: str) -> str:
    return " ".join(part for part in (say(ACTOR[actor.kind], lang),
                                      say(CHANNEL[actor.channel], lang)) if part)


async def claims_show(args: argparse.Namespace, settings: Settings) -> int:
    """Show one claim: status, lines with amounts, per payer, approvals and log, in words."""
    async with service_env(settings) as env:
        claim = await admin.claim_for_admin(env, args.reference)
        orgs = {slug: await admin.organisation(env, slug) for slug in claim.payers}
        tables = [t for org in orgs.values() for t in org.rate_tables]
        view = summarise(claim, orgs, env.book.with_tables(tables), env.clock().date())
    lang = settings.lang
    print(f"{claim.reference}: {claim.title} — {view.status.in_(lang)}")
    for number, line in enumerate(view.lines, start=1):
        payer = view.payer_names.get(line.line.payer, line.line.payer) if line.line.payer \
            else say(TEXT["split"], lang)
        kind = LINE_KINDS[line.line.kind].in_(lang)
        if line.result is None:
            error = line.error.in_(lang) if line.error else ""
            print(f"  {number}. {kind} → {payer}: {error}")
            continue
        print(f"  {number}. {kind} → {payer}: {format_kr(line.result.amount)} kr "
              f"({say(TEXT['taxfree'], lang)} {format_kr(line.result.taxfree)})")
        for text in line.result.breakdown:
            print(f"       {text.in_(lang)}")
    totals = view.totals
    print("  " + say(TEXT["totals"], lang, amount=format_kr(totals.amount),
                     taxfree=format_kr(totals.taxfree), taxable=format_kr(totals.taxable)))
    for slug, share in view.payers.items():
        print(f"  {view.payer_names.get(slug, slug)}: {format_kr(share.amount)} kr")
    for approval in claim.approvals:
        print(_approval(approval, lang))
    for event in claim.events:
        said = event.text
        if isinstance(event, LineAdded | LineChanged | LineRemoved) and said in LINE_KINDS:
            said = LINE_KINDS[said].in_(lang)  # the line's kind, in words
        note = f": {said}" if said else ""
        print(f"  {oslo(event.at)} {EVENT_TEXT[type(event)].in_(lang)} "
              f"({_actor(event.actor, lang)}){note}")
    return EXIT_OK
