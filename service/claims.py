"""The claimant's use cases, each in its own unit of work (see ``session.py`` for the work)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from domain.claim import Channel, Claim, ClaimLine
from service.context import Env, retrying
from service.session import MAX_ATTACHMENT_BYTES, ClaimantSession
from service.summary import ClaimSummary

T = TypeVar("T")

__all__ = ["MAX_ATTACHMENT_BYTES", "add_line", "attach", "attach_file", "change_line",
           "comment", "create_claim", "my_claims", "remove_line", "submit", "summary",
           "withdraw"]


async def _once(env: Env, claimant_id: str, channel: Channel,
                work: Callable[[ClaimantSession], Awaitable[T]], *, commit: bool = True) -> T:
    async with env.uow() as uow:
        result = await work(ClaimantSession(env, uow, claimant_id, channel))
        if commit:
            await uow.commit()
        return result


async def _retried(env: Env, claimant_id: str, channel: Channel,
                   work: Callable[[ClaimantSession], Awaitable[T]]) -> T:
    return await retrying(env, lambda: _once(env, claimant_id, channel, work))


async def create_claim(env: Env, claimant_id: str, payers: Sequence[str], title: str, *,
                       purpose: str = "", route: str = "",
                       allocation: Mapping[str, str] | None = None,
                       channel: Channel = "telegram") -> Claim:
    """Start a draft claim against organisations the claimant is a member of."""
    return await _once(env, claimant_id, channel, lambda s: s.create_claim(
        payers, title, purpose=purpose, route=route, allocation=allocation))


async def add_line(env: Env, claimant_id: str, claim_id: str, line: ClaimLine, *,
                   channel: Channel = "telegram") -> Claim:
    """Add a line to a draft or returned claim."""
    return await _once(env, claimant_id, channel, lambda s: s.add_line(claim_id, line))


async def change_line(env: Env, claimant_id: str, claim_id: str, line: ClaimLine, *,
                      channel: Channel = "telegram") -> Claim:
    """Replace a line (same id) of a draft or returned claim."""
    return await _once(env, claimant_id, channel, lambda s: s.change_line(claim_id, line))


async def remove_line(env: Env, claimant_id: str, claim_id: str, line_id: str, *,
                      channel: Channel = "telegram") -> Claim:
    """Remove a line of a draft or returned claim."""
    return await _once(env, claimant_id, channel, lambda s: s.remove_line(claim_id, line_id))


async def attach(env: Env, claimant_id: str, claim_id: str, line_id: str, content_hash: str, *,
                 channel: Channel = "telegram") -> Claim:
    """Attach a stored file (by content hash) to a line as its receipt."""
    return await _once(env, claimant_id, channel,
                       lambda s: s.attach(claim_id, line_id, content_hash))


async def attach_file(env: Env, claimant_id: str, claim_id: str, line_id: str, data: bytes,
                      *, channel: Channel = "telegram") -> Claim:
    """Store a receipt's bytes by hash in the data folder and attach it to a line."""
    async def work(session: ClaimantSession) -> Claim:
        await session.claim(claim_id)  # refuse someone else's claim before keeping anything
        return await session.attach(claim_id, line_id, await session.store_file(data))
    return await _once(env, claimant_id, channel, work)


async def summary(env: Env, claimant_id: str, claim_id: str) -> ClaimSummary:
    """The claimant's view of one claim."""
    return await _once(env, claimant_id, "telegram", lambda s: s.summary(claim_id),
                       commit=False)


async def submit(env: Env, claimant_id: str, claim_id: str, *, confirm_late: bool = False,
                 channel: Channel = "telegram") -> Claim:
    """Send a draft or returned claim to approval (a resubmit starts a new round)."""
    return await _once(env, claimant_id, channel,
                       lambda s: s.submit(claim_id, confirm_late=confirm_late))


async def withdraw(env: Env, claimant_id: str, claim_id: str, *,
                   channel: Channel = "telegram") -> Claim:
    """Pull a submitted claim back to draft while nobody has approved it."""
    return await _retried(env, claimant_id, channel, lambda s: s.withdraw(claim_id))


async def comment(env: Env, claimant_id: str, claim_id: str, text: str, *,
                  channel: Channel = "telegram") -> Claim:
    """A comment from the claimant to the approvers of the open stages."""
    return await _retried(env, claimant_id, channel, lambda s: s.comment(claim_id, text))


async def my_claims(env: Env, claimant_id: str) -> Sequence[Claim]:
    """The claimant's claims, newest first."""
    return await _once(env, claimant_id, "telegram", lambda s: s.my_claims(), commit=False)
