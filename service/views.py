"""Read-only views the mail worker renders from: a claim as the recipient should see it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.calendar import local_date
from domain.claimant import Claimant
from domain.errors import NotFound
from service.context import Env, book_for, organisations
from service.summary import ClaimSummary, summarise

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic",
              "application/pdf": "pdf"}


@dataclass(frozen=True, slots=True)
class MailContext:
    """A claim's summary, its claimant, and its receipts (name, bytes, type)."""

    summary: ClaimSummary
    claimant: Claimant
    receipts: list[tuple[str, bytes, str]]


async def mail_context(env: Env, claim_id: str, *, with_receipts: bool = False) -> MailContext:
    """Everything a mail about ``claim_id`` shows; receipts read from the blob store."""
    async with env.uow() as uow:
        claim = await uow.claims.get(claim_id)
        if claim is None:
            raise NotFound()
        claimant = await uow.claimants.get(claim.claimant_id)
        if claimant is None:
            raise NotFound()
        orgs = await organisations(uow, claim.payers)
        view = summarise(claim, orgs, book_for(env, orgs), local_date(env.clock()))
        receipts: list[tuple[str, bytes, str]] = []
        if with_receipts and env.blobs is not None:
            for number, line in enumerate(claim.lines, start=1):
                for n, content_hash in enumerate(line.attachments, start=1):
                    mime = await uow.attachments.mime(content_hash) or "application/octet-stream"
                    name = f"kvittering-linje{number}-{n}.{EXTENSIONS.get(mime, 'bin')}"
                    receipts.append((name, env.blobs.get(content_hash), mime))
    return MailContext(view, claimant, receipts)
