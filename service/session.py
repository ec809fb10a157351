"""A claimant's operations inside one unit of work, for the use cases and the dialog.

``claims.py`` wraps each operation in its own unit of work; a dialog turn
(``dialog.py``) runs several of them and saves the dialog state in the same
transaction, so a restart can never leave a claim changed but the conversation
not (or the other way round). Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from domain import workflow
from domain.attachments import sniff_type
from domain.calc import compute_line
from domain.calendar import local_date
from domain.claim import Actor, Channel, Claim, ClaimLine, Status
from domain.claimant import Claimant
from domain.errors import InvalidValue, NotAMember, NotFound
from domain.events import Created
from domain.lines import LineError
from domain.organisation import Organisation
from domain.plausibility import refuse_impossible, refuse_no_rates
from domain.rates import NoRateSetError
from domain.remembered import Remembered, remember
from domain.text import Text
from service.context import Env, book_for, organisations, own_claim, own_head
from service.notify import publish
from service.ports import ClaimHead, UnitOfWork
from service.summary import ClaimSummary, summarise

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # the Bot API's download limit


async def load_claimant(uow: UnitOfWork, claimant_id: str) -> Claimant:
    """The claimant, or a refusal telling them how to start."""
    claimant = await uow.claimants.get(claimant_id)
    if claimant is None:
        raise NotFound(Text("Ukjent bruker. Start med invitasjonslenken.",
                            "Unknown user. Start with the invite link."))
    return claimant


def _allocation(orgs: Mapping[str, Organisation], chosen: Mapping[str, str]) -> dict[str, str]:
    """Keep the dimensions the payers use, each checked against its allowed values."""
    result: dict[str, str] = {}
    for org in orgs.values():
        for dim in org.dimensions:
            value = chosen.get(dim.name, "")
            if value.strip():
                result[dim.name] = dim.check(value)
    return result


@dataclass(slots=True)
class ClaimantSession:
    """One claimant's operations on one open unit of work."""

    env: Env
    uow: UnitOfWork
    claimant_id: str
    channel: Channel = "telegram"

    @property
    def actor(self) -> Actor:
        """The claimant as the actor of what happens here."""
        return Actor("claimant", self.claimant_id, self.channel)

    async def claimant(self) -> Claimant:
        """The claimant's record."""
        return await load_claimant(self.uow, self.claimant_id)

    async def claim(self, claim_id: str) -> Claim:
        """One of the claimant's claims (another's is as if it did not exist)."""
        return await own_claim(self.uow, self.claimant_id, claim_id)

    async def head(self, claim_id: str) -> ClaimHead:
        """One of the claimant's claims without its lines and log: payers, rate set, status."""
        return await own_head(self.uow, self.claimant_id, claim_id)

    async def create_claim(self, payers: Sequence[str], title: str, *, purpose: str = "",
                           route: str = "", allocation: Mapping[str, str] | None = None
                           ) -> Claim:
        """Start a draft against organisations the claimant is a member of."""
        claimant = await self.claimant()
        if not payers:
            raise NotAMember(Text("Velg minst én betaler.", "Choose at least one payer."))
        if any(slug not in claimant.memberships for slug in payers):
            raise NotAMember()
        orgs = await organisations(self.uow, tuple(payers))
        cleaned = _allocation(orgs, {**claimant.allocation_defaults, **(allocation or {})})
        at = self.env.clock()
        claim = Claim(id=self.env.new_id(),
                      reference=await self.uow.claims.next_reference(local_date(at).year),
                      claimant_id=self.claimant_id, payers=tuple(payers), title=title.strip(),
                      rate_set=orgs[payers[0]].rate_set, purpose=purpose.strip(),
                      route=route.strip(), allocation=cleaned)
        claim.log(Created(at, self.actor, title))
        claim.new_events.clear()
        claimant.allocation_defaults.update(cleaned)
        await self.uow.claims.add(claim)
        await self.uow.claimants.save(claimant)
        return claim

    async def _edit(self, claim_id: str, change: Callable[[Claim, Actor, datetime], None]
                    ) -> Claim:
        claim = await self.claim(claim_id)
        change(claim, self.actor, self.env.clock())
        await self.uow.claims.save(claim)
        return claim

    async def _checked(self, claim: Claim, line: ClaimLine) -> None:
        """Refuse a line that cannot be true or cannot be computed, before it is saved.

        Raises:
            InvalidValue: a day after today, no rates for the day, an impossible figure.
        """
        orgs = await organisations(self.uow, claim.payers)
        code = line.type_code or getattr(line.body, "code", "")
        unit = next((e.unit for org in orgs.values() if (e := org.entry(code))), "")
        refuse_impossible(line.body, local_date(self.env.clock()), unit)
        try:
            compute_line(line.body, book_for(self.env, orgs), claim.rate_set)
        except NoRateSetError as exc:
            refuse_no_rates(exc.name, exc.on)
        except LineError as exc:
            raise InvalidValue(exc.text) from None

    async def add_line(self, claim_id: str, line: ClaimLine) -> Claim:
        """Add a line to a draft or returned claim (checked: see ``_checked``)."""
        claim = await self.claim(claim_id)
        await self._checked(claim, line)
        claim.add_line(line, self.actor, self.env.clock())
        await self.uow.claims.save(claim)
        return claim

    async def change_line(self, claim_id: str, line: ClaimLine) -> Claim:
        """Replace the line with the same id (checked like a new one)."""
        claim = await self.claim(claim_id)
        await self._checked(claim, line)
        claim.change_line(line, self.actor, self.env.clock())
        await self.uow.claims.save(claim)
        return claim

    async def remove_line(self, claim_id: str, line_id: str) -> Claim:
        """Remove a line."""
        return await self._edit(claim_id, lambda c, a, t: c.remove_line(line_id, a, t))

    async def attach(self, claim_id: str, line_id: str, content_hash: str) -> Claim:
        """Attach a stored file (by content hash) to a line as its receipt."""
        claim = await self.claim(claim_id)
        line = claim.line(line_id)
        if content_hash in line.attachments:
            return claim
        return await self.change_line(
            claim_id, replace(line, attachments=(*line.attachments, content_hash)))

    async def store_file(self, data: bytes) -> str:
        """Keep a receipt's bytes by hash; the type is judged by the bytes.

        Raises:
            InvalidValue: an empty, oversized or unsupported file.
        """
        if self.env.blobs is None:
            raise RuntimeError("no blob store configured")
        if not data or len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidValue(Text("Filen er tom eller større enn 20 MB.",
                                    "The file is empty or larger than 20 MB."))
        mime = sniff_type(data)
        if mime is None:
            raise InvalidValue(Text("Send kvitteringen som bilde (JPG, PNG, HEIC) eller PDF.",
                                    "Send the receipt as an image (JPG, PNG, HEIC) or a PDF."))
        content_hash = self.env.blobs.put(data)
        await self.uow.attachments.add(content_hash, mime, len(data), self.env.clock())
        return content_hash

    async def summary(self, claim_id: str) -> ClaimSummary:
        """The claimant's view of one claim."""
        claim = await self.claim(claim_id)
        orgs = await organisations(self.uow, claim.payers)
        return summarise(claim, orgs, book_for(self.env, orgs), local_date(self.env.clock()))

    async def submit(self, claim_id: str, *, confirm_late: bool = False) -> Claim:
        """Send to approval (a resubmit starts a new round)."""
        claim = await self.claim(claim_id)
        orgs = await organisations(self.uow, claim.payers)
        workflow.submit(claim, orgs, book_for(self.env, orgs), self.actor, self.env.clock(),
                        confirm_late=confirm_late)
        await publish(self.env, self.uow, claim, await self.claimant(), orgs)
        await self.uow.claims.save(claim)
        return claim

    async def withdraw(self, claim_id: str) -> Claim:
        """Pull a submitted claim back to draft while nobody has approved it."""
        claim = await self.claim(claim_id)
        workflow.withdraw(claim, self.actor, self.env.clock())
        await publish(self.env, self.uow, claim, await self.claimant(),
                      await organisations(self.uow, claim.payers))
        await self.uow.claims.save(claim)
        return claim

    async def comment(self, claim_id: str, text: str) -> Claim:
        """A comment to the approvers of the open stages."""
        claim = await self.claim(claim_id)
        workflow.comment(claim, self.actor, self.env.clock(), text)
        await publish(self.env, self.uow, claim, await self.claimant(),
                      await organisations(self.uow, claim.payers))
        await self.uow.claims.save(claim)
        return claim

    async def my_claims(self, *statuses: Status, newest: int | None = None
                        ) -> Sequence[Claim]:
        """The claimant's claims, newest first (only in ``statuses``, only ``newest``)."""
        return await self.uow.claims.for_claimant(self.claimant_id, newest=newest,
                                                  statuses=statuses)

    async def my_heads(self, *statuses: Status, newest: int | None = None
                       ) -> Sequence[ClaimHead]:
        """``my_claims`` as heads (``ClaimHead``): reference, title, status, payers."""
        return await self.uow.claims.heads_for_claimant(self.claimant_id, newest=newest,
                                                        statuses=statuses)

    async def remembered(self, besides: str | None = None) -> Remembered:
        """What the claimant's newest claims (other than ``besides``) offer as "Som sist"."""
        claimant = await self.claimant()
        newest = [c for c in await self.uow.claims.newest_lines(self.claimant_id, 6)
                  if c.id != besides][:5]
        found = remember(newest)
        if any(slug not in claimant.memberships for slug in found.payers):
            return replace(found, payers=())  # no longer a member: nothing to offer
        return found
