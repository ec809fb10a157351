"""The approver's use cases: approve, return or comment on their stage of a claim.

An approver is identified by email. The mail gateway resolves a reply key to
(claim, payer, stage, round) and calls ``decide`` with the sender; the key only
works while that stage of that round is open, and only for the approver it was
issued to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from domain import workflow
from domain.claim import Actor, Channel, Claim, Status
from domain.claimant import Claimant
from domain.errors import NotAnApprover, NotFound, StageNotOpen
from domain.text import Text
from service.context import Env, organisations, retrying
from service.notify import publish
from service.ports import UnitOfWork

Decision = Literal["approve", "return", "comment"]


@dataclass(frozen=True, slots=True)
class Target:
    """Which approval a decision is for."""

    claim_id: str
    payer: str
    stage: int
    round: int


async def target_of_key(env: Env, key: str, sender: str) -> Target:
    """Resolve a reply key; the sender must be the approver it was issued to.

    Raises:
        StageNotOpen: unknown key (as if expired: we do not say which keys exist).
        NotAnApprover: the key belongs to another approver.
    """
    async with env.uow() as uow:
        found = await uow.reply_keys.get(key)
    if found is None:
        raise StageNotOpen(Text("Svaradressen er ukjent. Svar på den siste e-posten om kravet.",
                                "The reply address is unknown. Reply to the latest mail."))
    if found.approver != sender.strip().lower():
        raise NotAnApprover()
    return Target(found.claim_id, found.payer, found.stage, found.round)


async def decide_in(env: Env, uow: UnitOfWork, target: Target, approver: str,
                    decision: Decision, text: str = "", *, channel: Channel = "email",
                    source_message_id: str | None = None, whole: bool = True) -> Claim:
    """Apply an approver's decision inside ``uow`` (no commit).

    ``whole=False``: the claim is read for the decision only, with its claimant
    (``for_decision``: no lines, no earlier log), which is all a decision reads; the claim
    returned is that one.
    """
    actor = Actor("approver", approver.strip().lower(), channel)
    found = (await uow.claims.for_decision(target.claim_id) if not whole
             else await _whole(uow, target.claim_id))
    if found is None:
        raise NotFound()
    claim, claimant = found
    orgs = await organisations(uow, claim.payers)
    workflow.refresh_approvers(claim, orgs)  # decided by who is an approver now
    at = env.clock()
    if decision == "approve":
        workflow.approve(claim, target.payer, target.stage, target.round, actor, at,
                         source_message_id=source_message_id)
    elif decision == "return":
        workflow.return_claim(claim, target.payer, target.stage, target.round, actor,
                              at, text, source_message_id=source_message_id)
    else:
        approval = claim.approval(target.payer, target.stage, target.round)
        if approval is None or actor.id not in approval.approvers:
            raise NotAnApprover()
        if target.round != claim.round or claim.status is not Status.AWAITING:
            raise StageNotOpen()  # a key dies with its round, for comments too
        workflow.comment(claim, actor, at, text, payer=target.payer,
                         source_message_id=source_message_id)
    if whole:
        claimant = await uow.claimants.get(claim.claimant_id)
    if claimant is not None:
        await publish(env, uow, claim, claimant, orgs)
    await uow.claims.save(claim)
    return claim


async def _whole(uow: UnitOfWork, claim_id: str) -> tuple[Claim, Claimant | None] | None:
    """The claim read whole (its claimant is read once the decision is made)."""
    claim = await uow.claims.get(claim_id)
    return None if claim is None else (claim, None)


async def decide(env: Env, target: Target, approver: str, decision: Decision, text: str = "",
                 *, channel: Channel = "email", source_message_id: str | None = None) -> Claim:
    """Apply an approver's decision; retried if another decision landed meanwhile."""
    async def work() -> Claim:
        async with env.uow() as uow:
            claim = await decide_in(env, uow, target, approver, decision, text,
                                    channel=channel, source_message_id=source_message_id)
            await uow.commit()
            return claim
    return await retrying(env, work)


async def awaiting(env: Env, approver: str) -> Sequence[Claim]:
    """Claims with a stage open for this approver."""
    async with env.uow() as uow:
        return await uow.claims.awaiting(approver.strip().lower())
