"""The admin digest: what needs an admin's eye in one organisation, and what payroll pays next.

``digest`` gathers it (read only); ``queue_digest`` puts it in the outbox, one mail per
admin with the next run's payroll CSV attached, once per organisation and day. "Since
the last digest" is the last digest queued for the organisation before today (Oslo);
the first digest looks back ``first_days``. Failures are those of messages queued in
the last ``failure_days`` that concern the organisation (its claims, admins, approvers).
"""

from __future__ import annotations

import base64
from datetime import datetime, time, timedelta

from domain.calc import Totals
from domain.calendar import OSLO, local_date
from domain.claim import Claim, Status
from domain.claimant import Claimant
from domain.income import payer_share
from domain.money import ZERO
from domain.organisation import DIMENSIONS, Organisation
from service import admin
from service.context import Env, book_for, organisations
from service.digest_model import (
    ApprovedClaim,
    Digest,
    Failure,
    ReturnedClaim,
    WaitingStage,
)
from service.digest_text import render_digest
from service.payroll import export_run, next_run, render_csv
from service.ports import BouncingAddress, OutboxMessage, UnitOfWork

__all__ = ["ApprovedClaim", "Digest", "Failure", "ReturnedClaim", "WaitingStage", "digest",
           "queue_digest", "render_digest"]


def _add(into: dict[str, Totals], key: str, more: Totals) -> None:
    now = into.get(key, Totals(ZERO, ZERO))
    into[key] = Totals(now.amount + more.amount, now.taxfree + more.taxfree)


def _last(claim: Claim, kind: str, default: datetime) -> datetime:
    return next((e.at for e in reversed(claim.events) if e.kind == kind), default)


class _Gather:
    def __init__(self, env: Env, uow: UnitOfWork, org: Organisation, at: datetime) -> None:
        self.env, self.uow, self.org, self.at = env, uow, org, at
        self.people: dict[str, Claimant | None] = {}
        self.names: dict[str, str] = {org.slug: org.name}

    async def person(self, claimant_id: str) -> str:
        if claimant_id not in self.people:
            self.people[claimant_id] = await self.uow.claimants.get(claimant_id)
        found = self.people[claimant_id]
        return found.name if found else ""

    async def payers(self, claim: Claim) -> dict[str, Organisation]:
        orgs = await organisations(self.uow, claim.payers)
        self.names.update({slug: o.name for slug, o in orgs.items()})
        return orgs

    async def waiting(self, flag_days: int) -> list[WaitingStage]:
        found = []
        awaiting = await self.uow.claims.in_status([Status.AWAITING], self.org.slug)
        reminded = await self.uow.outbox.queued("reminder_approver",
                                                since=self.at - timedelta(days=90))
        for claim in awaiting:
            await self.payers(claim)
            for a in claim.round_approvals():
                if a.state != "open":
                    continue
                opened = next((e.at for e in reversed(claim.events) if e.kind == "stage_opened"
                               and (e.payer, e.stage, e.round) == (a.payer, a.stage, a.round)),
                              claim.submitted_at or self.at)
                count = sum(1 for q in reminded if q.message.recipient in a.approvers
                            and q.created_at >= opened and claim.id in
                            {q.message.payload.get("claim_id"),
                             *(c.get("claim_id") for c in q.message.payload.get("also", []))})
                found.append(WaitingStage(
                    claim.reference, claim.title, await self.person(claim.claimant_id),
                    self.names[a.payer], a.stage_name, a.approvers, (self.at - opened).days,
                    self.at - opened > timedelta(days=flag_days), count))
        return sorted(found, key=lambda w: (-w.days, w.reference))

    async def returned(self) -> list[ReturnedClaim]:
        found = []
        for claim in await self.uow.claims.in_status([Status.RETURNED], self.org.slug):
            await self.payers(claim)
            event = next((e for e in reversed(claim.events) if e.kind == "returned"), None)
            found.append(ReturnedClaim(
                claim.reference, claim.title, await self.person(claim.claimant_id),
                self.names.get(claim.returned_by or "", claim.returned_by or ""),
                event.text if event else "", (self.at - _last(claim, "returned", self.at)).days))
        return sorted(found, key=lambda r: (-r.days, r.reference))

    async def approved(self, since: datetime) -> tuple[list[ApprovedClaim], dict[str, Totals],
                                                       dict[str, dict[str, Totals]]]:
        found: list[ApprovedClaim] = []
        per_payer: dict[str, Totals] = {}
        per_dim: dict[str, dict[str, Totals]] = {}
        names = [d.name for d in self.org.dimensions]
        for claim in await self.uow.claims.approved_between(self.org.slug, since, self.at):
            if claim.status not in (Status.APPROVED, Status.PAID):
                continue
            orgs = await self.payers(claim)
            book = book_for(self.env, orgs)
            for slug in claim.payers:
                _add(per_payer, self.names[slug], payer_share(claim, slug, book).totals)
            share = payer_share(claim, self.org.slug, book).totals
            found.append(ApprovedClaim(claim.reference, claim.title,
                                       await self.person(claim.claimant_id), share))
            for name in [*names, *(n for n in claim.allocation if n not in names)]:
                _add(per_dim.setdefault(name, {}), claim.allocation.get(name, ""), share)
        order = {n: i for i, n in enumerate(DIMENSIONS)}
        dims = {n: per_dim[n] for n in sorted(per_dim, key=lambda n: order.get(n, 99))}
        return sorted(found, key=lambda a: a.reference), per_payer, dims

    async def failures(self, days: int) -> list[Failure]:
        addresses = {*self.org.admins, *(a for s in self.org.stages for a in s.approvers)}
        found = []
        for q in await self.uow.outbox.queued(status="failed", since=self.at - timedelta(days)):
            m, claim_id = q.message, q.message.payload.get("claim_id")
            claim = await self.uow.claims.get(str(claim_id)) if claim_id else None
            if (m.recipient in addresses or m.payload.get("org") == self.org.slug
                    or (claim is not None and self.org.slug in claim.payers)):
                found.append(Failure(m.kind, m.channel, m.recipient,
                                     claim.reference if claim else "", q.last_error or ""))
        return found

    async def bouncing(self) -> list[BouncingAddress]:
        addresses = {*self.org.admins, *(a for s in self.org.stages for a in s.approvers),
                     *(p.email for p in self.people.values() if p and p.email)}
        return [b for b in await self.uow.inbound.bouncing() if b.address in addresses]


async def _since(uow: UnitOfWork, slug: str, at: datetime, first_days: int) -> datetime:
    today = datetime.combine(local_date(at), time(0), OSLO)
    earlier = [q.created_at for q in await uow.outbox.queued("admin_digest")
               if q.message.payload.get("org") == slug and q.created_at < today]
    return max(earlier) if earlier else at - timedelta(days=first_days)


async def digest(env: Env, slug: str, now: datetime | None = None, *, flag_days: int = 7,
                 first_days: int = 7, failure_days: int = 7) -> Digest:
    """The digest of ``slug`` as of ``now`` (default: the clock)."""
    org = await admin.organisation(env, slug)
    at = now or env.clock()
    async with env.uow() as uow:
        g = _Gather(env, uow, org, at)
        since = await _since(uow, slug, at, first_days)
        waiting, returned = await g.waiting(flag_days), await g.returned()
        approved, per_payer, per_dim = await g.approved(since)
        payroll = await export_run(env, uow, org, next_run(org, at))
        in_run = {c.claim_id for c in payroll.claims}
        unpaid = sorted(c.reference for c in await uow.claims.in_status([Status.APPROVED], slug)
                        if c.id not in in_run)
        return Digest(slug, org.name, org.admins, at, since, flag_days, tuple(waiting),
                      tuple(returned), tuple(approved), per_payer, per_dim, payroll,
                      tuple(unpaid), tuple(await g.failures(failure_days)),
                      tuple(await g.bouncing()))


async def queue_digest(env: Env, d: Digest, lang: str = "nb") -> int:
    """Queue the digest to each admin (once per organisation, admin and day); how many new."""
    subject, text, html = render_digest(d, lang)
    day = local_date(d.at).isoformat()
    payload = {"org": d.slug, "event": "admin_digest", "lang": lang, "subject": subject,
               "text": text, "html": html,
               "payroll_csv": base64.b64encode(render_csv(d.payroll)).decode("ascii"),
               "payroll_csv_name": f"lonn-{d.slug}-{d.payroll.run.period}.csv"}
    async with env.uow() as uow:
        done = {q.message.dedupe_key for q in await uow.outbox.queued(
            "admin_digest", since=datetime.combine(local_date(d.at), time(0), OSLO))}
        added = 0
        for address in d.admins:
            key = f"admin_digest:{d.slug}:{day}:{address}"
            if key not in done:
                await uow.outbox.add(OutboxMessage("admin_digest", "email", address,
                                                   dict(payload), key), d.at)
                added += 1
        await uow.commit()
    return added
