"""Turn what happened to a claim into messages in the outbox.

Written in the same transaction as the change, so a notice is sent if and only
if the change was saved. Each message has a dedupe key derived from the event,
so running this twice for the same events writes nothing twice. Which events
notify whom is one table, ``HANDLERS`` (event class → handlers); an event class
in ``SILENT`` notifies nobody, and a test checks every class is in one of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from domain.claim import Claim, ClaimEvent
from domain.claimant import Claimant
from domain.events import (
    ClaimApproved,
    Commented,
    Created,
    LineAdded,
    LineChanged,
    LineRemoved,
    Paid,
    PayerApproved,
    Returned,
    StageApproved,
    StageOpened,
    Submitted,
    Withdrawn,
)
from domain.organisation import Organisation
from service.context import Env
from service.messages import (
    ApprovalRequest,
    ApproverComment,
    ClaimantComment,
    ClaimApprovedNotice,
    ClaimNotice,
    PaidNotice,
    PayerApprovedNotice,
    ReturnedNotice,
    WithdrawnNotice,
)
from service.ports import OutboxMessage, ReplyKey, UnitOfWork

E = TypeVar("E", bound=ClaimEvent)


class _Fields(TypedDict):
    """What every claim notice carries (``ClaimNotice``'s fields)."""

    claim_id: str
    reference: str
    title: str
    round: int
    payer: str | None
    payer_name: str
    stage: int | None
    text: str
    actor: str
    lang: str


@dataclass(frozen=True, slots=True)
class _Publish:
    """One event being published: the claim, its claimant and payers, and where it goes."""

    env: Env
    uow: UnitOfWork
    claim: Claim
    claimant: Claimant
    orgs: Mapping[str, Organisation]
    at: datetime
    seq: int

    def key(self, event: ClaimEvent, who: str) -> str:
        """One notice per event (its place in the claim's log) and recipient."""
        return f"{self.claim.id}:{self.seq}:{event.kind}:{who}"

    def fields(self, event: ClaimEvent) -> _Fields:
        """What a worker needs to render the notice without reading the database again."""
        payer = self.orgs.get(event.payer) if event.payer else None
        return _Fields(claim_id=self.claim.id, reference=self.claim.reference,
                       title=self.claim.title, round=event.round, payer=event.payer,
                       payer_name=payer.name if payer else "", stage=event.stage,
                       text=event.text, actor=event.actor.id, lang=self.claimant.language)

    async def add(self, message: OutboxMessage) -> None:
        await self.uow.outbox.add(message, self.at)


Handler = Callable[[_Publish, Any], Awaitable[None]]


def _on(cls: type[E], *handlers: Callable[[_Publish, E], Awaitable[None]]
        ) -> tuple[type[ClaimEvent], list[Handler]]:
    """One entry of ``HANDLERS``; mypy checks each handler takes this event class."""
    return cls, list(handlers)


async def publish(env: Env, uow: UnitOfWork, claim: Claim, claimant: Claimant,
                  orgs: Mapping[str, Organisation]) -> None:
    """Queue the notices for ``claim.new_events`` and clear them."""
    at = env.clock()
    first = claim.earlier_events + len(claim.events) - len(claim.new_events)
    for seq, event in enumerate(claim.new_events, start=first):
        for handler in HANDLERS.get(type(event), []):
            await handler(_Publish(env, uow, claim, claimant, orgs, at, seq), event)
    claim.new_events.clear()


async def _request_approval(p: _Publish, event: StageOpened) -> None:
    """Each approver of the opened stage gets the claim with a reply key of their own."""
    if event.payer is None or event.stage is None:
        return
    opened = p.claim.approval(event.payer, event.stage, event.round)
    for approver in opened.approvers if opened else ():
        key = ReplyKey(p.env.new_key(), p.claim.id, event.payer, event.stage, event.round,
                       approver, p.at)
        await p.uow.reply_keys.add(key)
        await p.add(OutboxMessage(ApprovalRequest(**p.fields(event), reply_key=key.key),
                                  "email", approver, p.key(event, approver)))


async def _to_claimant(p: _Publish, event: ClaimEvent, notice: ClaimNotice, *,
                       by_email: bool = False) -> None:
    if p.claimant.telegram_id is not None:
        await p.add(OutboxMessage(notice, "telegram", str(p.claimant.telegram_id),
                                  p.key(event, "telegram")))
    if by_email and p.claimant.email:
        await p.add(OutboxMessage(notice, "email", p.claimant.email, p.key(event, "email")))


async def _returned(p: _Publish, event: Returned) -> None:
    await _to_claimant(p, event, ReturnedNotice(**p.fields(event)), by_email=True)


async def _payer_approved(p: _Publish, event: PayerApproved) -> None:
    await _to_claimant(p, event, PayerApprovedNotice(**p.fields(event)))


async def _claim_approved(p: _Publish, event: ClaimApproved) -> None:
    await _to_claimant(p, event, ClaimApprovedNotice(**p.fields(event)))


async def _paid(p: _Publish, event: Paid) -> None:
    await _to_claimant(p, event, PaidNotice(**p.fields(event)))


async def _commented(p: _Publish, event: Commented) -> None:
    """An approver's comment goes to the claimant; a claimant's to the open stages."""
    if event.actor.kind == "approver":
        await _to_claimant(p, event, ApproverComment(**p.fields(event)), by_email=True)
    elif event.actor.kind == "claimant":
        for approval in p.claim.round_approvals():
            if approval.state == "open":
                for approver in approval.approvers:
                    key = ReplyKey(p.env.new_key(), p.claim.id, approval.payer, approval.stage,
                                   p.claim.round, approver, p.at)
                    await p.uow.reply_keys.add(key)
                    await p.add(OutboxMessage(
                        ClaimantComment(**p.fields(event), reply_key=key.key,
                                        stage_payer=approval.payer), "email", approver,
                        p.key(event, f"{approver}:{approval.payer}:{approval.stage}")))


async def _withdrawn(p: _Publish, event: Withdrawn) -> None:
    """The stages the withdraw closed: their approvers need not look any more."""
    for approval in p.claim.round_approvals():
        if approval.state == "closed":
            for approver in approval.approvers:
                await p.add(OutboxMessage(
                    WithdrawnNotice(**p.fields(event), stage_payer=approval.payer), "email",
                    approver, p.key(event, f"{approver}:{approval.payer}:{approval.stage}")))


HANDLERS: dict[type[ClaimEvent], list[Handler]] = dict([
    _on(StageOpened, _request_approval), _on(Returned, _returned),
    _on(PayerApproved, _payer_approved), _on(ClaimApproved, _claim_approved),
    _on(Paid, _paid), _on(Commented, _commented), _on(Withdrawn, _withdrawn)])

# in the claim's log, but nobody is told: the claimant did it, or a notice above says it
SILENT: frozenset[type[ClaimEvent]] = frozenset({
    Created, LineAdded, LineChanged, LineRemoved, Submitted, StageApproved})
