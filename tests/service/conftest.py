"""The service tests' world: fakes, a clock the test moves, organisations set up from TOML.

Organisations are applied through the real admin use case; claimants join through
a real invite. The four organisations are the three source workflows of
DESIGN.md: two referee clubs with one stage each, a municipality with
*attestasjon* then *anvisning*, and an association with a strict travel policy.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.claim import Claim, ClaimLine
from domain.lines import Expense, ItemLine, MileageLeg, PerDiem
from domain.money import ForeignAmount
from domain.organisation import Organisation
from domain.rates import default_book
from service import admin, approvals, claims, members
from service.context import Env
from service.ports import ReplyKey
from tests.service.fakes import FakeBlobs, FakeDatabase, FakeUnitOfWork

IK_FJELL = """
slug = "ik-fjell"
name = "IK Fjell"
org_number = "974760673"
admins = ["okonomi@ikfjell.no"]

[[stages]]
name = "godkjenning"
approvers = ["kasserer@ikfjell.no"]

[[catalogue]]
code = "kamphonorar"
label_nb = "Kamphonorar"
rate = "565"
unit = "kamp"

[[catalogue]]
code = "taxi"
kind = "expense"
label_nb = "Taxi"
expense_type = "taxi"
receipt_required = true
justification_required = true

[[catalogue]]
code = "parkering"
kind = "expense"
label_nb = "Parkering"
expense_type = "parking"
receipt_required = false
"""

SK_DAL = """
slug = "sk-dal"
name = "SK Dal"
org_number = "971524960"
admins = ["styret@skdal.no"]

[[stages]]
name = "godkjenning"
approvers = ["leder@skdal.no"]

[[catalogue]]
code = "kamphonorar"
label_nb = "Kamphonorar"
rate = "310"
unit = "kamp"
"""

BERGVIK = """
slug = "bergvik"
name = "Bergvik kommune"
org_number = "983887457"
admins = ["lonn@bergvik.kommune.no"]

[[stages]]
name = "attestasjon"
approvers = ["attestant@bergvik.kommune.no"]

[[stages]]
name = "anvisning"
approvers = ["leder@bergvik.kommune.no"]

[dimensions]
ansvar = ["1100", "1200"]
funksjon = "free"

[[catalogue]]
code = "avlaster-lav"
label_nb = "Avlaster lav sats"
rate = "95"
unit = "time"
"""

KVANN = """
slug = "kvann"
name = "Foreningen Kvann"
org_number = "910000004"
admins = ["daglig@kvann.no"]

[[stages]]
name = "godkjenning"
approvers = ["daglig@kvann.no"]

[policy]
justify_own_car = true
max_km_per_leg = 800

[[catalogue]]
code = "fly"
kind = "expense"
label_nb = "Fly"
expense_type = "flight"
justification_required = true

[[catalogue]]
code = "taxi"
kind = "expense"
label_nb = "Taxi"
expense_type = "taxi"
justification_required = true
"""

BERGVIK_ALLOCATION = {"ansvar": "1100", "funksjon": "254"}


class Clock:
    """The time the use cases see; tests set and move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def counter(prefix: str) -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"{prefix}{next(numbers)}"


def day(text: str) -> date:
    return date.fromisoformat(text)


class World:
    """Shortcuts for setting up a scene through the real use cases."""

    def __init__(self, env: Env, db: FakeDatabase, clock: Clock) -> None:
        self.env, self.db, self.clock = env, db, clock
        self._line_ids = counter("line-")
        self._telegram_ids = itertools.count(1001)

    async def organisations(self, *texts: str) -> list[Organisation]:
        return [(await admin.apply_organisation(self.env, text))[0] for text in texts]

    async def member(self, name: str, *slugs: str) -> str:
        """A claimant who joined every organisation in ``slugs`` by invite; their id."""
        telegram_id = next(self._telegram_ids)
        claimant_id = ""
        for slug in slugs:
            invite = await admin.create_invite(self.env, slug)
            claimant, _ = await members.join(self.env, telegram_id, name, invite.code)
            claimant_id = claimant.id
        return claimant_id

    def telegram_of(self, claimant_id: str) -> str:
        return str(self.db.claimants[claimant_id].telegram_id)

    # lines -------------------------------------------------------------------------------

    def line(self, body: object, payer: str | None = None, **fields: object) -> ClaimLine:
        return ClaimLine(self._line_ids(), body, payer, **fields)  # type: ignore[arg-type]

    def fee(self, payer: str, rate: str, on: str = "2026-02-14", *, quantity: str = "1",
            code: str = "kamphonorar") -> ClaimLine:
        return self.line(ItemLine(day(on), Decimal(quantity), Decimal(rate), label="Kamp",
                                  code=code), payer, type_code=code)

    def drive(self, km: str, on: str = "2026-02-14", payer: str | None = None, *,
              passengers: tuple[str, ...] = (), forest_road_km: str = "0",
              **fields: object) -> ClaimLine:
        return self.line(MileageLeg(day(on), Decimal(km), passengers=passengers,
                                    forest_road_km=Decimal(forest_road_km)), payer, **fields)

    def outlay(self, kind: str, amount: str, on: str = "2026-02-14", payer: str | None = None,
               **fields: object) -> ClaimLine:
        return self.line(Expense(day(on), kind, ForeignAmount("NOK", Decimal(amount),
                                                              Decimal(1))), payer, **fields)

    def per_diem(self, departure: str, return_at: str, km: str = "50",
                 payer: str | None = None) -> ClaimLine:
        return self.line(PerDiem(datetime.fromisoformat(departure),
                                 datetime.fromisoformat(return_at), Decimal(km)), payer)

    # claims ------------------------------------------------------------------------------

    async def draft(self, claimant_id: str, payers: tuple[str, ...], *lines: ClaimLine,
                    allocation: Mapping[str, str] | None = None,
                    title: str = "Reise") -> Claim:
        claim = await claims.create_claim(self.env, claimant_id, payers, title,
                                          allocation=allocation)
        for line in lines:
            claim = await claims.add_line(self.env, claimant_id, claim.id, line)
        return claim

    async def submitted(self, claimant_id: str, payers: tuple[str, ...], *lines: ClaimLine,
                        allocation: Mapping[str, str] | None = None) -> Claim:
        claim = await self.draft(claimant_id, payers, *lines, allocation=allocation)
        return await claims.submit(self.env, claimant_id, claim.id)

    def stored(self, claim_id: str) -> Claim:
        """The claim as committed."""
        return copy.deepcopy(self.db.claims[claim_id])

    # approvers ---------------------------------------------------------------------------

    def keys(self, claim_id: str, approver: str) -> list[ReplyKey]:
        """Reply keys sent to ``approver`` for the claim, oldest first."""
        sent = [m.payload["reply_key"] for m in self.db.messages("approval_request",
                                                                 recipient=approver)
                if m.payload["claim_id"] == claim_id]
        return [self.db.reply_keys[k] for k in sent]

    def key(self, claim_id: str, approver: str) -> str:
        """The latest reply key sent to ``approver`` for the claim."""
        found = self.keys(claim_id, approver)
        assert found, f"no approval request to {approver}"
        return found[-1].key

    async def decide(self, claim_id: str, approver: str, decision: approvals.Decision,
                     text: str = "", *, key: str | None = None,
                     message_id: str | None = None) -> Claim:
        target = await approvals.target_of_key(self.env, key or self.key(claim_id, approver),
                                               approver)
        return await approvals.decide(self.env, target, approver, decision, text,
                                      source_message_id=message_id)

    async def approve(self, claim_id: str, approver: str, **kw: str) -> Claim:
        return await self.decide(claim_id, approver, "approve", **kw)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def env(db: FakeDatabase, clock: Clock) -> Env:
    return Env(uow=lambda: FakeUnitOfWork(db), book=default_book(), clock=clock,
               new_id=counter("id-"), new_key=counter("key-"), blobs=FakeBlobs())


@pytest.fixture
def world(env: Env, db: FakeDatabase, clock: Clock) -> Iterator[World]:
    yield World(env, db, clock)


@pytest.fixture
async def clubs(world: World) -> World:
    """IK Fjell and SK Dal (one stage each) applied."""
    await world.organisations(IK_FJELL, SK_DAL)
    return world


@pytest.fixture
async def referee(clubs: World) -> str:
    """A referee who joined both clubs."""
    return await clubs.member("Kari Dommer", "ik-fjell", "sk-dal")


@pytest.fixture
async def bergvik(world: World) -> World:
    """Bergvik kommune (attestasjon, then anvisning) applied."""
    await world.organisations(BERGVIK)
    return world


@pytest.fixture
async def respite_worker(bergvik: World) -> str:
    """A respite worker who joined Bergvik kommune."""
    return await bergvik.member("Per Avlaster", "bergvik")


@pytest.fixture
async def kvann(world: World) -> World:
    """Foreningen Kvann (strict travel policy) applied."""
    await world.organisations(KVANN)
    return world


@pytest.fixture
async def traveller(kvann: World) -> str:
    """A member of Foreningen Kvann."""
    return await kvann.member("Ola Reise", "kvann")
