"""The claimant's use cases: create, edit, summarise, submit, withdraw, comment, list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from domain import workflow
from domain.attachments import sniff_type
from domain.calendar import local_date
from domain.claim import Actor, Channel, Claim, ClaimEvent, ClaimLine
from domain.claimant import Claimant
from domain.errors import InvalidValue, NotAMember, NotFound
from domain.organisation import Organisation
from domain.service.context import Env, book_for, organisations, own_claim, retrying
from domain.service.notify import publish
from domain.service.ports import UnitOfWork
from domain.service.summary import ClaimSummary, summarise
from domain.text import Text


async def _claimant(uow: UnitOfWork, claimant_id: str) -> Claimant:
    claimant = await uow.claimants.get(claimant_id)
    if claimant is None:
        raise NotFound(Text("Ukjent bruker. Start med invitasjonslenken.",
                            "Unknown user. Start with the invite link."))
    return claimant


def _actor(claimant_id: str, channel: Channel) -> Actor:
    return Actor("claimant", claimant_id, channel)


async def create_claim(env: Env, claimant_id: str, payers: Sequence[str], title: str, *,
                       purpose: str = "", route: str = "",
                       allocation: Mapping[str, str] | None = None,
                       channel: Channel = "telegram") -> Claim:
    """Start a draft claim against organisations the claimant is a member of."""
    async with env.uow() as uow:
        claimant = await _claimant(uow, claimant_id)
        if not payers:
            raise NotAMember(Text("Velg minst én betaler.", "Choose at least one payer."))
        for slug in payers:
            if slug not in claimant.memberships:
                raise NotAMember()
        orgs = await organisations(uow, tuple(payers))
        chosen = dict(claimant.allocation_defaults)
        chosen.update(allocation or {})
        cleaned = _allocation(orgs, chosen)
        at = env.clock()
        claim = Claim(id=env.new_id(), reference=await uow.claims.next_reference(at.year),
                      claimant_id=claimant_id, payers=tuple(payers), title=title.strip(),
                      rate_set=orgs[payers[0]].rate_set, purpose=purpose.strip(),
                      route=route.strip(), allocation=cleaned)
        claim.log(ClaimEvent("created", at, _actor(claimant_id, channel), title))
        claim.new_events.clear()
        claimant.allocation_defaults.update(cleaned)
        await uow.claims.add(claim)
        await uow.claimants.save(claimant)
        await uow.commit()
        return claim


def _allocation(orgs: Mapping[str, Organisation], chosen: Mapping[str, str]) -> dict[str, str]:
    """Keep the dimensions the payers use, each checked against its allowed values."""
    result: dict[str, str] = {}
    for org in orgs.values():
        for dim in org.dimensions:
            value = chosen.get(dim.name, "")
            if value.strip():
                result[dim.name] = dim.check(value)
    return result


Change = Callable[[Claim, Actor, datetime], None]


async def _edit(env: Env, claimant_id: str, claim_id: str, change: Change,
                channel: Channel) -> Claim:
    async with env.uow() as uow:
        claim = await own_claim(uow, claimant_id, claim_id)
        change(claim, _actor(claimant_id, channel), env.clock())
        await uow.claims.save(claim)
        await uow.commit()
        return claim


async def add_line(env: Env, claimant_id: str, claim_id: str, line: ClaimLine, *,
                   channel: Channel = "telegram") -> Claim:
    """Add a line to a draft or returned claim."""
    return await _edit(env, claimant_id, claim_id,
                       lambda c, a, t: c.add_line(line, a, t), channel)


async def change_line(env: Env, claimant_id: str, claim_id: str, line: ClaimLine, *,
                      channel: Channel = "telegram") -> Claim:
    """Replace a line (same id) of a draft or returned claim."""
    return await _edit(env, claimant_id, claim_id,
                       lambda c, a, t: c.change_line(line, a, t), channel)


async def remove_line(env: Env, claimant_id: str, claim_id: str, line_id: str, *,
                      channel: Channel = "telegram") -> Claim:
    """Remove a line of a draft or returned claim."""
    return await _edit(env, claimant_id, claim_id,
                       lambda c, a, t: c.remove_line(line_id, a, t), channel)


async def attach(env: Env, claimant_id: str, claim_id: str, line_id: str, content_hash: str, *,
                 channel: Channel = "telegram") -> Claim:
    """Attach a stored file (by content hash) to a line as its receipt."""
    def change(claim: Claim, actor: Actor, at: datetime) -> None:
        line = claim.line(line_id)
        if content_hash not in line.attachments:
            claim.change_line(replace(line, attachments=(*line.attachments, content_hash)),
                              actor, at)
    return await _edit(env, claimant_id, claim_id, change, channel)


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # the Bot API's download limit


async def attach_file(env: Env, claimant_id: str, claim_id: str, line_id: str, data: bytes,
                      *, channel: Channel = "telegram") -> Claim:
    """Store a receipt's bytes by hash in the data folder and attach it to a line.

    The type is judged from the bytes themselves (JPEG, PNG, HEIC or PDF).

    Raises:
        InvalidValue: an empty, oversized or unsupported file.
    """
    if env.blobs is None:
        raise RuntimeError("no blob store configured")
    if not data or len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidValue(Text("Filen er tom eller større enn 20 MB.",
                                "The file is empty or larger than 20 MB."))
    mime = sniff_type(data)
    if mime is None:
        raise InvalidValue(Text("Send kvitteringen som bilde (JPG, PNG, HEIC) eller PDF.",
                                "Send the receipt as an image (JPG, PNG, HEIC) or a PDF."))
    content_hash = env.blobs.put(data)
    async with env.uow() as uow:
        await own_claim(uow, claimant_id, claim_id)  # before recording anything
        await uow.attachments.add(content_hash, mime, len(data), env.clock())
        await uow.commit()
    return await attach(env, claimant_id, claim_id, line_id, content_hash, channel=channel)


async def summary(env: Env, claimant_id: str, claim_id: str) -> ClaimSummary:
    """The claimant's view of one claim."""
    async with env.uow() as uow:
        claim = await own_claim(uow, claimant_id, claim_id)
        orgs = await organisations(uow, claim.payers)
        return summarise(claim, orgs, book_for(env, orgs), local_date(env.clock()))


async def submit(env: Env, claimant_id: str, claim_id: str, *, confirm_late: bool = False,
                 channel: Channel = "telegram") -> Claim:
    """Send a draft or returned claim to approval (a resubmit starts a new round)."""
    async with env.uow() as uow:
        claim = await own_claim(uow, claimant_id, claim_id)
        claimant = await _claimant(uow, claimant_id)
        orgs = await organisations(uow, claim.payers)
        workflow.submit(claim, orgs, book_for(env, orgs), _actor(claimant_id, channel),
                        env.clock(), confirm_late=confirm_late)
        await publish(env, uow, claim, claimant, orgs)
        await uow.claims.save(claim)
        await uow.commit()
        return claim


async def withdraw(env: Env, claimant_id: str, claim_id: str, *,
                   channel: Channel = "telegram") -> Claim:
    """Pull a submitted claim back to draft while nobody has approved it."""
    async def work() -> Claim:
        async with env.uow() as uow:
            claim = await own_claim(uow, claimant_id, claim_id)
            claimant = await _claimant(uow, claimant_id)
            workflow.withdraw(claim, _actor(claimant_id, channel), env.clock())
            await publish(env, uow, claim, claimant, await organisations(uow, claim.payers))
            await uow.claims.save(claim)
            await uow.commit()
            return claim
    return await retrying(env, work)


async def comment(env: Env, claimant_id: str, claim_id: str, text: str, *,
                  channel: Channel = "telegram") -> Claim:
    """A comment from the claimant to the approvers of the open stages."""
    async def work() -> Claim:
        async with env.uow() as uow:
            claim = await own_claim(uow, claimant_id, claim_id)
            claimant = await _claimant(uow, claimant_id)
            orgs = await organisations(uow, claim.payers)
            workflow.comment(claim, _actor(claimant_id, channel), env.clock(), text)
            await publish(env, uow, claim, claimant, orgs)
            await uow.claims.save(claim)
            await uow.commit()
            return claim
    return await retrying(env, work)


async def my_claims(env: Env, claimant_id: str) -> Sequence[Claim]:
    """The claimant's claims, newest first."""
    async with env.uow() as uow:
        return await uow.claims.for_claimant(claimant_id)
