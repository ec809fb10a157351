"""The admin digest: what needs an admin's eye in one organisation, and what payroll pays next.

``digest`` gathers it (read only, data only: ``service.digest_model``); ``digest_mail``
wraps it in the ``AdminDigest`` message that ``mail`` words in the admin's language;
``queue_digest`` puts that in the outbox, one mail per admin with the next run's payroll
CSV attached, once per organisation and day. "Since
the last digest" is the last digest queued for the organisation before today (Oslo);
the first digest looks back ``first_days``. Failures are those of messages queued in
the last ``failure_days`` that concern the organisation (its claims, admins, approvers).
Inbound replies given up in those days (the ``Failed`` mailbox) are listed in every
organisation's digest: a message we could not handle names no organisation we could
trust. Stranger attempts since the last digest are counted: replies with a key of a claim
the organisation pays from someone who may not decide (``wrong_sender``), and replies with
no key we issued (``unknown_key``, no organisation: every digest counts them).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from domain.calc import Totals
from domain.calendar import OSLO, local_date
from domain.money import ZERO
from domain.organisation import DIMENSIONS, Organisation
from service.context import Env, organisations
from service.digest_model import (
    ApprovedClaim,
    BouncingAddress,
    Digest,
    FailedInbound,
    Failure,
    NextPayroll,
    ReturnedClaim,
    Strangers,
    WaitingStage,
)
from service.messages import AdminDigest, ApproverReminder
from service.payroll import PayrollExport, export_run, next_run, payroll_export, render_csv
from service.ports import InboundRecord, OutboxMessage, QueuedMessage, UnitOfWork

__all__ = ["ApprovedClaim", "Digest", "Failure", "ReturnedClaim", "WaitingStage", "digest",
           "digest_mail", "queue_digest"]


def _add(into: dict[str, Totals], key: str, more: Totals) -> None:
    now = into.get(key, Totals(ZERO, ZERO))
    into[key] = Totals(now.amount + more.amount, now.taxfree + more.taxfree)


def _digest_of(body: object, slug: str) -> bool:
    """Whether a queued message is ``slug``'s digest."""
    return isinstance(body, AdminDigest) and body.org == slug


class _Gather:
    """The digest's parts, each a few report queries whatever the number of claims."""

    def __init__(self, uow: UnitOfWork, org: Organisation, at: datetime,
                 names: dict[str, str]) -> None:
        self.uow, self.org, self.at, self.names = uow, org, at, names
        self.emails: set[str] = set()

    async def waiting(self, flag_days: int,
                      reminders: Sequence[QueuedMessage]) -> list[WaitingStage]:
        reminded: dict[tuple[str, str], list[datetime]] = {}
        for q in reminders:
            for claim_id in q.message.body.about():
                reminded.setdefault((q.message.recipient, claim_id), []).append(q.created_at)
        found = []
        for s in await self.uow.reports.open_stages(self.org.slug):
            self.emails.add(s.claimant_email)
            count = sum(1 for address in s.approvers
                        for sent in reminded.get((address, s.claim_id), ())
                        if sent >= s.opened_at)
            found.append(WaitingStage(
                s.reference, s.title, s.claimant, self.names.get(s.payer, s.payer),
                s.stage_name, s.approvers, (self.at - s.opened_at).days,
                self.at - s.opened_at > timedelta(days=flag_days), count))
        return sorted(found, key=lambda w: (-w.days, w.reference))

    async def returned(self) -> list[ReturnedClaim]:
        found = []
        for r in await self.uow.reports.returned(self.org.slug):
            self.emails.add(r.claimant_email)
            found.append(ReturnedClaim(r.reference, r.title, r.claimant,
                                       self.names.get(r.returned_by, r.returned_by), r.reason,
                                       (self.at - r.returned_at).days))
        return sorted(found, key=lambda r: (-r.days, r.reference))

    async def approved(self, since: datetime) -> tuple[list[ApprovedClaim], dict[str, Totals],
                                                       dict[str, dict[str, Totals]]]:
        found: list[ApprovedClaim] = []
        per_dim: dict[str, dict[str, Totals]] = {}
        names = [d.name for d in self.org.dimensions]
        for c in await self.uow.reports.approved(self.org.slug, since, self.at):
            self.emails.add(c.claimant_email)
            found.append(ApprovedClaim(c.reference, c.title, c.claimant, c.share))
            for name in [*names, *(n for n in c.allocation if n not in names)]:
                _add(per_dim.setdefault(name, {}), c.allocation.get(name, ""), c.share)
        per_payer: dict[str, Totals] = {}
        for slug, totals in sorted((await self.uow.reports.payer_totals(
                self.org.slug, since, self.at)).items()):
            _add(per_payer, self.names.get(slug, slug), totals)
        order = {n: i for i, n in enumerate(DIMENSIONS)}
        dims = {n: per_dim[n] for n in sorted(per_dim, key=lambda n: order.get(n, 99))}
        return found, per_payer, dims

    async def failures(self, failed: Sequence[QueuedMessage]) -> list[Failure]:
        addresses = {*self.org.admins, *(a for s in self.org.stages for a in s.approvers)}
        claims = await self.uow.reports.claims_by_id(
            [c for q in failed for c in q.message.body.about()[:1]])
        found = []
        for q in failed:
            m = q.message
            reference, payers = claims.get(next(iter(m.body.about()), ""), ("", ()))
            if (m.recipient in addresses or _digest_of(m.body, self.org.slug)
                    or self.org.slug in payers):
                found.append(Failure(m.kind, m.channel, m.recipient, reference,
                                     q.last_error or ""))
        return found

    async def inbound(self, days: int,
                      since: datetime) -> tuple[list[FailedInbound], Strangers]:
        """Replies given up (``Failed``) in the last ``days``, and strangers since ``since``.

        The given-up replies are in every digest; one read serves both.
        """
        failed_since = self.at - timedelta(days)
        recorded = await self.uow.inbound.recorded(
            min(failed_since, since), ("failed", "wrong_sender", "unknown_key"))
        failed = [FailedInbound(r.message_id, r.at, r.attempts,
                                (r.detail.splitlines() or [""])[0][:300])
                  for r in recorded if r.outcome == "failed" and r.at >= failed_since]
        return failed, await self._strangers([r for r in recorded if r.outcome != "failed"
                                              and r.at >= since])

    async def _strangers(self, refused: Sequence[InboundRecord]) -> Strangers:
        claims = await self.uow.reports.claims_by_id(
            [r.claim_id for r in refused if r.claim_id])
        ours = [r for r in refused if r.outcome == "wrong_sender"
                and self.org.slug in claims.get(r.claim_id or "", ("", ()))[1]]
        return Strangers(len(ours), sum(1 for r in refused if r.outcome == "unknown_key"))

    async def bouncing(self) -> list[BouncingAddress]:
        addresses = {*self.org.admins, *(a for s in self.org.stages for a in s.approvers),
                     *(e for e in self.emails if e)}
        return [b for b in await self.uow.inbound.bouncing() if b.address in addresses]


def _next_payroll(p: PayrollExport, unpaid_earlier: Sequence[str]) -> NextPayroll:
    return NextPayroll(p.run.period, p.run.payroll_date, p.run.start, p.run.end,
                       p.claims.references,
                       len({r.claimant_id for r in p.rows}), p.totals, p.outlays,
                       p.missing_accounts, tuple(unpaid_earlier))


def _since(digests: Sequence[QueuedMessage], slug: str, at: datetime,
           first_days: int) -> datetime:
    today = datetime.combine(local_date(at), time(0), OSLO)
    earlier = [q.created_at for q in digests
               if _digest_of(q.message.body, slug) and q.created_at < today]
    return max(earlier) if earlier else at - timedelta(days=first_days)


async def digest(env: Env, slug: str, now: datetime | None = None, *, flag_days: int = 7,
                 first_days: int = 7, failure_days: int = 7) -> Digest:
    """The digest of ``slug`` as of ``now`` (default: the clock)."""
    at = now or env.clock()
    async with env.reader() as uow:
        every = {o.organisation.slug: o.organisation for o in await uow.organisations.all()}
        org = every[slug] if slug in every else (await organisations(uow, (slug,)))[slug]
        names = {o.slug: o.name for o in every.values()}
        g = _Gather(uow, org, at, names)
        reminders, digests, failed = await uow.outbox.queued_each((
            (ApproverReminder, None, at - timedelta(days=90)), (AdminDigest, None, None),
            (None, "failed", at - timedelta(failure_days))))
        since = _since(digests, slug, at, first_days)
        waiting, returned = await g.waiting(flag_days, reminders), await g.returned()
        approved, per_payer, per_dim = await g.approved(since)
        run = next_run(org, at)
        payroll = await export_run(env, uow, org, run)
        unpaid = await uow.reports.unpaid(slug, run.start, run.end)
        inbound_failed, strangers = await g.inbound(failure_days, since)
        return Digest(slug, org.name, org.admins, at, since, flag_days, tuple(waiting),
                      tuple(returned), tuple(approved), per_payer, per_dim,
                      _next_payroll(payroll, unpaid), tuple(await g.failures(failed)),
                      tuple(await g.bouncing()), tuple(inbound_failed), strangers)


def digest_mail(d: Digest, lang: str = "nb", csv: bytes | None = None) -> AdminDigest:
    """The digest as an outbox message in ``lang``; ``csv`` is the payroll file to attach.

    Without ``csv`` (``kvitt digest --print``) the mail names the command that writes it.
    """
    return AdminDigest(org=d.slug, lang=lang, digest=d,
                       payroll_csv=base64.b64encode(csv).decode("ascii") if csv else "",
                       payroll_csv_name=f"lonn-{d.slug}-{d.payroll.period}.csv")


async def queue_digest(env: Env, d: Digest, lang: str = "nb") -> int:
    """Queue the digest to each admin (once per organisation, admin and day); how many new."""
    day = local_date(d.at).isoformat()
    csv = render_csv(await payroll_export(env, d.slug, d.payroll.period))
    mail = digest_mail(d, lang, csv)
    async with env.uow() as uow:
        done = {q.message.dedupe_key for q in await uow.outbox.queued(
            AdminDigest, since=datetime.combine(local_date(d.at), time(0), OSLO))}
        added = 0
        for address in d.admins:
            key = f"admin_digest:{d.slug}:{day}:{address}"
            if key not in done:
                await uow.outbox.add(OutboxMessage(mail, "email", address, key), d.at)
                added += 1
        await uow.commit()
    return added
