"""What every use case needs besides the unit of work: rates, clock, ids, retries.

Built once in ``app/`` (the composition root) and passed in; nothing here is
created at import time, so tests choose their own clock and ids.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from domain.claim import Claim
from domain.errors import ChangedMeanwhile, NotFound, NotYourClaim
from domain.organisation import Organisation
from domain.rates import RateBook
from domain.text import Text
from service.exchange import RateCache, RateSource
from service.ports import LEASE, BlobStore, ClaimHead, UnitOfWork
from service.receipts import ReceiptReader

T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


def _new_key() -> str:
    return secrets.token_urlsafe(12).replace("-", "x").replace("_", "y").lower()


@dataclass(frozen=True, slots=True)
class Env:
    """The use cases' surroundings, chosen by the composition root."""

    uow: Callable[[], UnitOfWork]
    book: RateBook
    clock: Callable[[], datetime] = field(default=_utcnow)
    new_id: Callable[[], str] = field(default=_new_id)
    new_key: Callable[[], str] = field(default=_new_key)
    invite_days: int = 14
    attempts: int = 3
    blobs: BlobStore | None = None
    receipts: ReceiptReader | None = None  # None: receipts are stored, never read
    rates: RateSource | None = None  # None: the claimant types the exchange rate
    rate_cache: RateCache | None = None
    # a unit of work that only reads (reports): on SQLite it takes no write lock
    read: Callable[[], UnitOfWork] | None = None
    # how long an outbox row taken for sending stays the taker's: a worker killed mid-send
    # gives it back after this (``KVITT_OUTBOX_LEASE``)
    lease: timedelta = LEASE

    def reader(self) -> UnitOfWork:
        """A unit of work for reading only (``uow`` when none was wired)."""
        return self.read() if self.read is not None else self.uow()


async def retrying(env: Env, work: Callable[[], Awaitable[T]]) -> T:
    """Run a use case again when someone else saved the claim first.

    Decisions on different stages commute, so a retry on the fresh claim lets
    both land; if it keeps losing, the person gets a clear "changed meanwhile".
    """
    for _ in range(env.attempts - 1):
        try:
            return await work()
        except ChangedMeanwhile:
            continue
    return await work()


async def organisations(uow: UnitOfWork, slugs: tuple[str, ...]) -> dict[str, Organisation]:
    """The payers of a claim, by slug."""
    found: dict[str, Organisation] = {}
    read = await uow.organisations.many(slugs)
    for slug in slugs:
        stored = read[slug]
        if stored is None:
            raise NotFound(Text(f"Organisasjonen {slug} finnes ikke.",
                                f"Organisation {slug} does not exist."))
        found[slug] = stored.organisation
    return found


def book_for(env: Env, orgs: Mapping[str, Organisation]) -> RateBook:
    """The shipped rates plus the payers' own rate tables."""
    tables = [t for org in orgs.values() for t in org.rate_tables]
    return env.book.with_tables(tables) if tables else env.book


async def own_head(uow: UnitOfWork, claimant_id: str, claim_id: str) -> ClaimHead:
    """The claim's head (``ClaimHead``) if it is the claimant's; else as if it did not exist."""
    head = await uow.claims.head(claim_id)
    if head is None or head.claimant_id != claimant_id:
        raise NotYourClaim()
    return head


async def own_claim(uow: UnitOfWork, claimant_id: str, claim_id: str) -> Claim:
    """The claim if it belongs to the claimant; otherwise as if it did not exist."""
    claim = await uow.claims.get(claim_id)
    if claim is None or claim.claimant_id != claimant_id:
        raise NotYourClaim()
    return claim
