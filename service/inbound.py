"""An approver's reply, applied or refused, recorded once with its outcome.

The mail gateway reads the message (key, sender, visible text, decision word,
auto-reply, bounce) and hands a ``ReadReply`` here. In ONE transaction: a
Message-ID seen before changes nothing; a bounce marks the address; a valid key
from its own approver applies the decision; anything else is refused. The
answer to the approver (confirmation or refusal) goes to the outbox in that
same transaction; at most one refusal per address, reason and day, and never
an answer to an auto-reply or a bounce.

There is no "changed meanwhile" refusal, by design. A reply key belongs to one claim,
payer, stage and round, and a claim cannot change within a round (it is not editable
while awaiting approval; to change it the claimant withdraws it or gets it returned,
which ends the round). So a decision about a version that has changed since the mail was
sent is a decision for an ended round, refused as ``stage_closed`` ("sent in again:
answer the new mail"). What remains is a race with another decision, a comment or a
withdrawal saved at the same moment (``ChangedMeanwhile`` from the store): the whole
message is applied again on fresh data (``retrying``), where decisions on other stages
commute and a withdrawal makes it ``stage_closed``; if it loses every try, the exception
leaves ``handle_reply`` with nothing recorded, and the inbound worker (or the MTA, on exit
75 from ``kvitt mail ingest``) tries the message again later. The approver is never
asked to repeat an answer that nothing stands in the way of.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.calendar import local_date
from domain.errors import (
    ChangedMeanwhile,
    ClaimLocked,
    NotAnApprover,
    NotFound,
    ReturnNeedsReason,
    StageNotOpen,
)
from service.approvals import Decision, Target, decide_in
from service.context import Env, retrying
from service.messages import DecisionConfirmation, Refusal
from service.ports import InboundFailure, OutboxMessage, UnitOfWork

log = logging.getLogger("kvitt.inbound")


class Refused(Exception):
    """A reply that is not applied, for a reason its sender can fix (Discourse's receiver).

    Each reason is a subclass; its ``kind`` names its one template in ``mail.compose``'s
    ``REFUSALS`` table and is what is recorded. ``answer=False``: say nothing (the sender
    is not whom the key was sent to). Anything that is not a ``Refused`` (nor a domain
    error mapped to one in ``_FROM_DOMAIN``) is an unrecognised error: it propagates, the
    inbound worker logs it at error with its traceback, and nobody is answered.
    """

    kind = ""

    def __init__(self, claim_id: str | None = None, payer: str | None = None, *,
                 answer: bool = True) -> None:
        super().__init__(self.kind)
        self.claim_id, self.payer, self.answer = claim_id, payer, answer


class UnknownKey(Refused):
    """No open approval has this reply key (never sent, or its round has ended)."""

    kind = "unknown_key"


class WrongSender(Refused):
    """The key is valid but the sender is not its approver (or is not proven to be)."""

    kind = "wrong_sender"


class StageClosed(Refused):
    """The stage was decided, the claim withdrawn, locked or gone meanwhile."""

    kind = "stage_closed"


class ReturnWithoutReason(Refused):
    """RETUR with no reason: the claimant would not know what to fix."""

    kind = "return_without_reason"


class NoAnswer(Refused):
    """Nothing above the quoted request: no decision and no comment."""

    kind = "no_answer"


class UnclearDecision(Refused):
    """An approval retracted in its paragraph: kept as a comment, the approver asked again."""

    kind = "unclear_decision"


REFUSED: tuple[type[Refused], ...] = (UnknownKey, WrongSender, StageClosed, ReturnWithoutReason,
                                      NoAnswer, UnclearDecision)
REFUSALS = tuple(refused.kind for refused in REFUSED)
# the domain's refusals of a decision, as the sender reads them
_FROM_DOMAIN: dict[type[Exception], type[Refused]] = {
    ReturnNeedsReason: ReturnWithoutReason, StageNotOpen: StageClosed, ClaimLocked: StageClosed,
    NotFound: StageClosed, NotAnApprover: WrongSender}
_DONE = {"approve": "approved", "return": "returned", "comment": "commented"}
_APPLIED = frozenset({*_DONE.values(), "unclear"})  # outcomes filed in Processed


@dataclass(frozen=True, slots=True)
class ReadReply:
    """What the gateway read from one inbound message."""

    message_id: str
    sender: str
    subject: str = ""
    key: str | None = None
    intent: str = "none"  # approve | return | comment | none
    text: str = ""
    auto_reply: bool = False
    bounce: bool = False
    bounced: tuple[str, ...] = ()
    authenticated: bool = True
    bounce_token: str | None = None  # the VERP token of the address the bounce came to


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a message: ``kind`` is recorded; ``processed`` picks the folder."""

    kind: str
    processed: bool
    claim_id: str | None = None


async def handle_reply(env: Env, reply: ReadReply) -> Outcome:
    """Apply or refuse one reply; safe to call twice with the same message.

    A second delivery is told by its record, written last: the message is applied, and
    if its Message-ID was recorded before (by an earlier pass, or a concurrent worker that
    committed first) nothing of it is committed and it is filed like the first. Checking
    first would cost every reply a statement for what happens only after a lost move.
    """
    async def once() -> Outcome:
        async with env.uow() as uow:
            outcome = await _handle(env, uow, reply)
            if not await uow.inbound.record(reply.message_id, env.clock(), outcome.kind,
                                            reply.subject[:200], outcome.claim_id):
                before = await uow.inbound.outcome(reply.message_id)
                return Outcome("duplicate", processed=before in _APPLIED)  # rolled back
            await uow.commit()
            return outcome
    return await retrying(env, once)


async def _handle(env: Env, uow: UnitOfWork, reply: ReadReply) -> Outcome:
    """One reply: its outcome, or the refusal it earned answered (``handle_failure``)."""
    try:
        return await _apply(env, uow, reply)
    except Refused as refused:
        if not refused.answer:
            log.info("inbound %s: not answered (not the key's approver)", refused.kind)
            return Outcome(refused.kind, processed=False, claim_id=refused.claim_id)
        return await _refuse(env, uow, reply, refused)


async def _apply(env: Env, uow: UnitOfWork, reply: ReadReply) -> Outcome:
    if reply.bounce:
        # only a bounce to a VERP token we issued proves anything, and only about the
        # address that token's mail went to: what the report itself claims is not proof
        to = await uow.inbound.bounce_recipient(reply.bounce_token) if reply.bounce_token \
            else None
        if to is not None:
            await uow.inbound.mark_bouncing(to, env.clock(), reply.subject)
        else:
            log.info("a bounce without a token we issued: nothing marked")
        return Outcome("bounce", processed=False)
    if reply.auto_reply:
        return Outcome("auto_reply", processed=False)
    found = await uow.reply_keys.get(reply.key) if reply.key else None
    if found is None:
        # no answer to strangers: a forged From would make us spam whoever it names
        raise UnknownKey(answer=await _known_approver(uow, reply.sender))
    if found.approver != reply.sender.lower() or not reply.authenticated:
        # no backscatter: a forged From with a valid key gets nothing; recorded and counted
        raise WrongSender(found.claim_id, found.payer, answer=(
            found.approver == reply.sender.lower()
            or await _known_approver(uow, reply.sender, found.payer)))
    if reply.intent not in (*_DONE, "unclear"):
        raise NoAnswer(found.claim_id, found.payer)
    target = Target(found.claim_id, found.payer, found.stage, found.round)
    decision: Decision = "approve" if reply.intent == "approve" else (
        "return" if reply.intent == "return" else "comment")
    try:  # decide_in refuses before it writes anything, so a refusal leaves no trace
        claim = await decide_in(env, uow, target, reply.sender, decision, reply.text,
                                source_message_id=reply.message_id, whole=False)
    except ChangedMeanwhile:
        raise  # the whole message is tried again on fresh data (module docstring)
    except tuple(_FROM_DOMAIN) as exc:
        raise _FROM_DOMAIN[type(exc)](found.claim_id, found.payer) from exc
    if reply.intent == "unclear":  # kept as a comment; the approver is asked again
        await _refuse(env, uow, reply, UnclearDecision(found.claim_id, found.payer))
        return Outcome("unclear", processed=True, claim_id=claim.id)
    await uow.outbox.add(OutboxMessage(
        DecisionConfirmation(claim_id=claim.id, reference=claim.reference, decision=decision,
                             text=reply.text, in_reply_to=reply.message_id,
                             subject=reply.subject, payer=found.payer),
        "email", reply.sender, f"confirm:{reply.message_id}"), env.clock())
    return Outcome(_DONE[decision], processed=True, claim_id=claim.id)


async def _reference(uow: UnitOfWork, claim_id: str | None) -> str | None:
    claim = await uow.claims.get(claim_id) if claim_id else None
    return claim.reference if claim else None


async def _known_approver(uow: UnitOfWork, address: str, payer: str | None = None) -> bool:
    """Whether ``address`` approves for ``payer`` (or any organisation): worth an answer."""
    wanted = address.strip().lower()
    return any(wanted in stage.approvers for stored in await uow.organisations.all()
               if payer is None or stored.organisation.slug == payer
               for stage in stored.organisation.stages)


async def _refuse(env: Env, uow: UnitOfWork, reply: ReadReply, refused: Refused) -> Outcome:
    kind, claim_id, payer = refused.kind, refused.claim_id, refused.payer
    if not reply.sender:  # nobody to answer (an unreadable message)
        return Outcome(kind, processed=False, claim_id=claim_id)
    day = local_date(env.clock()).isoformat()
    await uow.outbox.add(OutboxMessage(
        Refusal(refusal=kind, claim_id=claim_id, in_reply_to=reply.message_id,
                subject=reply.subject, payer=payer, reference=await _reference(uow, claim_id),
                # the key, so an approver whose answer was unclear can simply reply again
                reply_key=reply.key if claim_id else None),
        "email", reply.sender, f"refusal:{reply.sender.lower()}:{kind}:{day}"), env.clock())
    return Outcome(kind, processed=False, claim_id=claim_id)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a message that fails as OUR error is retried.

    ``attempts`` tries in all, waiting ``first_wait`` seconds after the first and twice as
    long after each next (capped at ``max_wait``); after the last it is filed to
    ``Failed`` and shown to the admin.
    """

    attempts: int = 5
    first_wait: float = 60.0
    max_wait: float = 3600.0

    def wait(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed tries."""
        return timedelta(seconds=min(self.first_wait * 2 ** max(attempts - 1, 0),
                                     self.max_wait))


    def gives_up(self, attempts: int) -> bool:
        """Whether the message is filed to Failed after ``attempts`` failed tries."""
        return attempts >= self.attempts


async def waiting_until(env: Env, message_id: str) -> datetime | None:
    """When a message that failed before may be tried again (None: now).

    A read only: on SQLite it takes no write lock, so it costs no transaction of its own.
    """
    async with env.reader() as uow:
        failure = await uow.inbound.failure(message_id)
    return failure.retry_at if failure and failure.retry_at > env.clock() else None


async def waiting(env: Env) -> Mapping[str, datetime]:
    """``waiting_until`` for every message at once: one read for a whole inbox pass."""
    async with env.reader() as uow:
        return await uow.inbound.waiting(env.clock())


async def record_failure(env: Env, message_id: str, error: str,
                         policy: RetryPolicy) -> InboundFailure:
    """Count a failed try against the message; once ``policy`` gives up, record it "failed".

    Raises whatever the store raises: a database that is down is the caller's signal to
    back off (or, for an MTA pipe, to answer "try again later").
    """
    async with env.uow() as uow:
        now, before = env.clock(), await uow.inbound.failure(message_id)
        attempts = 1 if before is None else before.attempts + 1
        failure = InboundFailure(message_id, attempts, error, now + policy.wait(attempts))
        await uow.inbound.record_failure(message_id, now, error, failure.retry_at)
        if policy.gives_up(attempts) and await uow.inbound.outcome(message_id) is None:
            await uow.inbound.record(message_id, now, "failed", error[:2000], None)
        await uow.commit()
    return failure


async def issue_bounce_token(env: Env, recipient: str) -> str:
    """A fresh VERP token for a mail to ``recipient`` (its envelope sender carries it)."""
    token = env.new_key()
    async with env.uow() as uow:
        await uow.inbound.issue_bounce_token(token, recipient, env.clock())
        await uow.commit()
    return token
