"""Turn what happened to a claim into messages in the outbox.

Written in the same transaction as the change, so a notice is sent if and only
if the change was saved. Each message has a dedupe key derived from the event,
so running this twice for the same events writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain.claim import Claim, ClaimEvent
from domain.claimant import Claimant
from domain.organisation import Organisation
from service.context import Env
from service.ports import OutboxMessage, ReplyKey, UnitOfWork

CLAIMANT_NOTICES = {"returned", "payer_approved", "claim_approved", "paid"}


def _key(claim: Claim, seq: int, event: ClaimEvent, who: str) -> str:
    """One notice per event (its place in the claim's log) and recipient."""
    return f"{claim.id}:{seq}:{event.kind}:{who}"


def _payload(claim: Claim, event: ClaimEvent, claimant: Claimant,
             orgs: Mapping[str, Organisation]) -> dict[str, object]:
    """What a worker needs to render the notice without reading the database again."""
    payer = orgs.get(event.payer) if event.payer else None
    return {"claim_id": claim.id, "reference": claim.reference, "title": claim.title,
            "event": event.kind, "round": event.round, "payer": event.payer,
            "payer_name": payer.name if payer else "", "stage": event.stage,
            "text": event.text, "actor": event.actor.id, "lang": claimant.language}


async def publish(env: Env, uow: UnitOfWork, claim: Claim, claimant: Claimant,
                  orgs: Mapping[str, Organisation]) -> None:
    """Queue the notices for ``claim.new_events`` and clear them."""
    at = env.clock()
    first = len(claim.events) - len(claim.new_events)
    for seq, event in enumerate(claim.new_events, start=first):
        payload = _payload(claim, event, claimant, orgs)
        if event.kind == "stage_opened" and event.payer is not None and event.stage is not None:
            opened = claim.approval(event.payer, event.stage, event.round)
            for approver in opened.approvers if opened else ():
                key = ReplyKey(env.new_key(), claim.id, event.payer, event.stage, event.round,
                               approver, at)
                await uow.reply_keys.add(key)
                await uow.outbox.add(OutboxMessage(
                    "approval_request", "email", approver, {**payload, "reply_key": key.key},
                    _key(claim, seq, event, approver)), at)
        elif event.kind in CLAIMANT_NOTICES or (
                event.kind == "commented" and event.actor.kind == "approver"):
            await _to_claimant(uow, claim, claimant, seq, event, payload, at)
        elif event.kind == "commented" and event.actor.kind == "claimant":
            await _to_approvers(uow, claim, seq, event, payload, at, "open", "claimant_comment",
                                keys=env)
        elif event.kind == "withdrawn":
            # the stages the withdraw closed: their approvers need not look any more
            await _to_approvers(uow, claim, seq, event, payload, at, "closed", "claim_withdrawn")
    claim.new_events.clear()


async def _to_approvers(uow: UnitOfWork, claim: Claim, seq: int, event: ClaimEvent,
                        payload: dict[str, object], at: datetime, state: str,
                        kind: str, *, keys: Env | None = None) -> None:
    """Mail the approvers of the ``state`` approvals; with ``keys``, each gets a reply key."""
    for approval in claim.round_approvals():
        if approval.state == state:
            for approver in approval.approvers:
                extra: dict[str, object] = {"stage_payer": approval.payer}
                if keys is not None:
                    key = ReplyKey(keys.new_key(), claim.id, approval.payer, approval.stage,
                                   claim.round, approver, at)
                    await uow.reply_keys.add(key)
                    extra = {"reply_key": key.key, "stage_payer": approval.payer}
                who = f"{approver}:{approval.payer}:{approval.stage}"  # one per approval
                await uow.outbox.add(OutboxMessage(kind, "email", approver, {**payload, **extra},
                                                   _key(claim, seq, event, who)), at)


async def _to_claimant(uow: UnitOfWork, claim: Claim, claimant: Claimant, seq: int,
                       event: ClaimEvent, payload: dict[str, object], at: datetime) -> None:
    if claimant.telegram_id is not None:
        await uow.outbox.add(OutboxMessage(event.kind, "telegram", str(claimant.telegram_id),
                                           payload, _key(claim, seq, event, "telegram")), at)
    if claimant.email and event.kind in ("returned", "commented"):
        await uow.outbox.add(OutboxMessage(event.kind, "email", claimant.email, payload,
                                           _key(claim, seq, event, "email")), at)
