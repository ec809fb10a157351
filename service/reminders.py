"""Reminders, queued in the outbox for the workers to send; the scheduler may run this often.

- A claimant whose draft or returned claim is untouched (its log's last event) for
  ``idle_days`` gets a Telegram nudge naming those claims: at most one a day, and a claim
  is named again only after another ``idle_days`` (a decision: a daily nag about an
  abandoned draft teaches people to block the bot).
- A claimant whose trip has ended and whose submit deadline is at most ``warn_days``
  away gets one warning per claim and deadline, before it passes.
- An approver whose stage has been open for more than ``approver_days`` gets one mail a
  day at most: the longest-waiting claim with its reply key (answering the reminder
  decides that claim), the others listed with theirs.

Nothing is sent for a claim once it is submitted: only drafts and returned claims nudge
their claimants, only open stages remind approvers.

Each question is a query (``ClaimRepository.untouched``, ``trip_ended_in``,
``waiting_since``) that returns only the claims it may concern, so an hourly pass costs
the same with 100 open claims as with 100,000; the rules above then decide each one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from domain.calendar import OSLO, local_date
from domain.claim import STATUS_TEXT, Approval, Claim, Status
from domain.claimant import Claimant
from domain.events import StageOpened
from domain.organisation import Organisation
from domain.policy import add_months, deadline
from domain.text import Text
from service.context import Env, organisations
from service.messages import (
    ApproverReminder,
    ClaimantReminder,
    DeadlineWarning,
    IdleClaim,
    Message,
    WaitingClaim,
)
from service.ports import OutboxMessage, ReplyKey, UnitOfWork


@dataclass(frozen=True, slots=True)
class ReminderReport:
    """How many messages one pass queued (already queued ones are not counted)."""

    claimant_nudges: int = 0
    deadline_warnings: int = 0
    approver_reminders: int = 0


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), OSLO)


def _touched(claim: Claim) -> datetime | None:
    return claim.events[-1].at if claim.events else claim.submitted_at


class _Pass:
    """One pass over the claims, inside one unit of work."""

    def __init__(self, env: Env, uow: UnitOfWork, now: datetime) -> None:
        self.env, self.uow, self.now, self.today = env, uow, now, local_date(now)
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, Claimant | None] = {}

    async def payers(self, claim: Claim) -> dict[str, Organisation]:
        missing = tuple(p for p in claim.payers if p not in self.orgs)
        self.orgs.update(await organisations(self.uow, missing) if missing else {})
        return {p: self.orgs[p] for p in claim.payers}

    async def person(self, claimant_id: str) -> Claimant | None:
        if claimant_id not in self.people:
            self.people[claimant_id] = await self.uow.claimants.get(claimant_id)
        return self.people[claimant_id]

    async def queued_keys(self, kind: type[Message], since: datetime) -> set[str]:
        return {q.message.dedupe_key for q in await self.uow.outbox.queued(kind, since=since)}

    async def add(self, message: Message, channel: str, to: str, key: str) -> None:
        await self.uow.outbox.add(OutboxMessage(message, channel, to, key), self.now)


NUDGE_HEAD = Text("⏰ Du har krav som ikke er sendt inn ennå:",
                  "⏰ You have claims that are not sent yet:")
NUDGE_TAIL = Text("Send dem inn med /send når de er klare.",
                  "Send them with /send when they are ready.")


def _line(claim: Claim, days: int, lang: str) -> str:
    status = STATUS_TEXT[claim.status].in_(lang).lower()
    return Text(f"• {claim.reference} «{claim.title}» ({status}, urørt i {days} dager)",
                f"• {claim.reference} «{claim.title}» ({status}, untouched for {days} days)"
                ).in_(lang)


async def _nudge_claimants(p: _Pass, idle: list[tuple[Claim, int]], idle_days: int) -> int:
    since = _start_of(p.today - timedelta(days=idle_days - 1))
    recent = {c for q in await p.uow.outbox.queued(ClaimantReminder, since=since)
              for c in q.message.body.about()}
    by_claimant: dict[str, list[tuple[Claim, int]]] = {}
    for claim, days in idle:
        if claim.id not in recent:
            by_claimant.setdefault(claim.claimant_id, []).append((claim, days))
    done = await p.queued_keys(ClaimantReminder, _start_of(p.today))
    count = 0
    for claimant_id, claims in sorted(by_claimant.items()):
        person = await p.person(claimant_id)
        key = f"reminder_claimant:{claimant_id}:{p.today.isoformat()}"
        if person is None or person.telegram_id is None or key in done:
            continue
        lang, first = person.language, claims[0][0]
        message = "\n".join([NUDGE_HEAD.in_(lang), *(_line(c, d, lang) for c, d in claims),
                             NUDGE_TAIL.in_(lang)])
        await p.add(ClaimantReminder(
            claim_id=first.id, reference=first.reference, title=first.title, lang=lang,
            message=message, claims=tuple(
                IdleClaim(claim_id=c.id, reference=c.reference, title=c.title,
                          status=c.status.value, idle_days=d) for c, d in claims)),
            "telegram", str(person.telegram_id), key)
        count += 1
    return count


async def _warn_deadlines(p: _Pass, claims: list[Claim], warn_days: int) -> int:
    done = await p.queued_keys(DeadlineWarning, p.now - timedelta(days=warn_days + 1))
    count = 0
    for claim in claims:
        last_day = deadline(claim, await p.payers(claim))
        trip_end = max((line.last_date for line in claim.lines), default=None)
        if last_day is None or trip_end is None or trip_end >= p.today or not (
                p.today <= last_day <= p.today + timedelta(days=warn_days)):
            continue
        person = await p.person(claim.claimant_id)
        key = f"deadline_warning:{claim.id}:{last_day.isoformat()}"
        if person is None or person.telegram_id is None or key in done:
            continue
        when = f"{last_day:%d.%m.%Y}"
        message = Text(
            f"⚠️ Fristen for å sende inn {claim.reference} «{claim.title}» er {when}. "
            "Send det inn med /send før fristen.",
            f"⚠️ The deadline for sending {claim.reference} «{claim.title}» is {when}. "
            "Send it with /send before then.").in_(person.language)
        await p.add(DeadlineWarning(
            claim_id=claim.id, reference=claim.reference, title=claim.title,
            deadline=last_day.isoformat(), lang=person.language, message=message),
            "telegram", str(person.telegram_id), key)
        count += 1
    return count


def _opened_at(claim: Claim, approval: Approval) -> datetime | None:
    found = [e.at for e in claim.events if isinstance(e, StageOpened) and (
        e.payer, e.stage, e.round) == (approval.payer, approval.stage, approval.round)]
    return found[-1] if found else claim.submitted_at


async def _reply_key(p: _Pass, claim: Claim, a: Approval, approver: str) -> str:
    found = await p.uow.reply_keys.for_approval(claim.id, a.payer, a.stage, a.round, approver)
    if found is None:  # e.g. keys lost in a restore: a reminder must still be answerable
        found = ReplyKey(p.env.new_key(), claim.id, a.payer, a.stage, a.round, approver, p.now)
        await p.uow.reply_keys.add(found)
    return found.key


async def _remind_approvers(p: _Pass, approver_days: int) -> int:
    overdue: dict[str, list[tuple[int, Claim, Approval]]] = {}
    for claim in await p.uow.claims.waiting_since(p.now - timedelta(days=approver_days)):
        for a in claim.round_approvals():
            opened = _opened_at(claim, a)
            if a.state != "open" or opened is None or p.now - opened <= timedelta(
                    days=approver_days):
                continue
            for approver in a.approvers:
                overdue.setdefault(approver, []).append(((p.now - opened).days, claim, a))
    done = await p.queued_keys(ApproverReminder, _start_of(p.today))
    count = 0
    for approver, waiting in sorted(overdue.items()):
        key = f"reminder_approver:{approver}:{p.today.isoformat()}"
        if key in done:
            continue
        waiting.sort(key=lambda w: (-w[0], w[1].reference))
        items: list[WaitingClaim] = []
        for days, claim, a in waiting:
            name = (await p.payers(claim))[a.payer].name
            items.append(WaitingClaim(
                claim_id=claim.id, reference=claim.reference, title=claim.title,
                payer=a.payer, payer_name=name, stage=a.stage, stage_name=a.stage_name,
                round=a.round, days_open=days,
                reply_key=await _reply_key(p, claim, a, approver)))
        await p.add(ApproverReminder(**asdict(items[0]), lang="nb", also=tuple(items[1:])),
                    "email", approver, key)
        count += 1
    return count


def _trip_ends(today: date, warn_days: int, months: set[int]) -> list[tuple[date, date]]:
    """The last trip days whose deadline (``months`` after) can fall in the warning window.

    A few days wider than exact (a deadline on the 31st moves to the month's end), so
    the query never misses a claim; ``_warn_deadlines`` decides each one exactly.
    """
    slack = timedelta(days=4)
    return [(add_months(today, -m) - slack, add_months(today + timedelta(days=warn_days), -m)
             + slack) for m in sorted(months)]


async def remind(env: Env, now: datetime | None = None, *, idle_days: int = 3,
                 warn_days: int = 3, approver_days: int = 5) -> ReminderReport:
    """Queue the reminders due at ``now`` (default: the clock); safe to run any time."""
    at = now or env.clock()
    open_ = [Status.DRAFT, Status.RETURNED]
    async with env.uow() as uow:
        p = _Pass(env, uow, at)
        untouched = await uow.claims.untouched(open_, at - timedelta(days=idle_days))
        idle = [(c, (at - t).days) for c in untouched
                if (t := _touched(c)) is not None and at - t >= timedelta(days=idle_days)]
        months = {s.organisation.policy.submit_deadline_months
                  for s in await uow.organisations.all()}
        near = await uow.claims.trip_ended_in(open_, _trip_ends(p.today, warn_days, months))
        report = ReminderReport(await _nudge_claimants(p, idle, idle_days),
                                await _warn_deadlines(p, list(near), warn_days),
                                await _remind_approvers(p, approver_days))
        await uow.commit()
    return report
