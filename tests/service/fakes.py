"""Fakes of the ports in ``service.ports``: plain dicts behind the real Protocols.

``FakeDatabase`` is what is committed; each ``FakeUnitOfWork`` reads copies of it
and keeps its writes aside until ``commit``, so a unit of work that does not
commit leaves no trace — as a rolled-back transaction would. Claims carry the
same optimistic version check as the SQL store: saving a claim whose version is
not the stored one raises ``ChangedMeanwhile``.

A race is staged with ``FakeDatabase.meanwhile``: the given coroutine runs once,
right after the next claim is loaded, i.e. between another use case's read and
its write.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from domain.calc import Totals
from domain.claim import Claim, Status
from domain.claimant import Claimant, Invite
from domain.errors import ChangedMeanwhile
from domain.money import ZERO
from service import figures
from service.messages import Message
from service.ports import (
    LEASE,
    MAX_ATTEMPTS,
    AttachmentRepository,
    BlobStore,
    BouncingAddress,
    ClaimantRepository,
    ClaimHead,
    ClaimRepository,
    ClaimShare,
    DialogRepository,
    DialogState,
    InboundFailure,
    InboundLog,
    InboundRecord,
    IncomeSum,
    InviteRepository,
    OpenStage,
    OrganisationRepository,
    Outbox,
    OutboxMessage,
    OutboxRow,
    PayrollClaims,
    QueuedAsk,
    QueuedMessage,
    ReplyKey,
    ReplyKeyRepository,
    Reports,
    ReturnedClaimRow,
    StoredOrganisation,
    UnitOfWork,
    retry_wait,
)

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class FakeOutboxRow:
    """An outbox row with the SQL table's delivery columns."""

    id: int
    message: OutboxMessage
    created_at: datetime
    next_try_at: datetime
    status: str = "pending"
    attempts: int = 0
    locked_until: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None


def _by_id(row: FakeOutboxRow) -> int:
    return row.id


@dataclass
class FakeDatabase:
    """The committed state every unit of work starts from."""

    claims: dict[str, Claim] = field(default_factory=dict)
    claimants: dict[str, Claimant] = field(default_factory=dict)
    organisations: dict[str, StoredOrganisation] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    outbox: dict[str, FakeOutboxRow] = field(default_factory=dict)
    reply_keys: dict[str, ReplyKey] = field(default_factory=dict)
    attachments: dict[str, tuple[str, int]] = field(default_factory=dict)
    dialogs: dict[int, DialogState] = field(default_factory=dict)
    outbox_ids: int = 0
    inbound: dict[str, str] = field(default_factory=dict)
    inbound_records: list[tuple[str, datetime, str, str, str | None]] = field(
        default_factory=list)
    bouncing: dict[str, str] = field(default_factory=dict)
    bouncing_since: dict[str, datetime] = field(default_factory=dict)
    inbound_failures: dict[str, InboundFailure] = field(default_factory=dict)
    bounce_tokens: dict[str, str] = field(default_factory=dict)
    references: dict[int, int] = field(default_factory=dict)
    commits: int = 0
    _meanwhile: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    _racing: bool = False

    def meanwhile(self, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` once, just after the next claim is loaded by anyone."""
        self._meanwhile.append(work)

    async def _after_load(self) -> None:
        # The competitor's own loads must not start the next competitor.
        if self._meanwhile and not self._racing:
            work = self._meanwhile.pop(0)
            self._racing = True
            try:
                await work()
            finally:
                self._racing = False

    def messages(self, kind: str | None = None, *, recipient: str | None = None,
                 channel: str | None = None) -> list[OutboxMessage]:
        """Committed outbox messages, oldest first, optionally filtered."""
        return [m for m in (r.message for r in sorted(self.outbox.values(), key=_by_id))
                if (kind is None or m.kind == kind)
                and (recipient is None or m.recipient == recipient)
                and (channel is None or m.channel == channel)]


class _Table(Generic[K, V]):
    """Rows of one kind: reads copy, writes wait for commit."""

    def __init__(self, committed: dict[K, V]) -> None:
        self._committed = committed
        self.pending: dict[K, V] = {}

    def _read(self, key: K) -> V | None:
        if key in self.pending:
            return copy.deepcopy(self.pending[key])
        if key in self._committed:
            return copy.deepcopy(self._committed[key])
        return None

    def _write(self, key: K, value: V) -> None:
        self.pending[key] = copy.deepcopy(value)

    def _rows(self) -> list[V]:
        merged = {**self._committed, **self.pending}
        return [copy.deepcopy(v) for v in merged.values()]

    def check(self) -> None:
        """Raise if committing would overwrite someone else's commit."""

    def flush(self) -> None:
        self._committed.update(self.pending)
        self.pending.clear()


class FakeClaims(_Table[str, Claim]):
    """``ClaimRepository`` on a dict, with the store's optimistic version check."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.claims)
        self._db = db
        self._seen: dict[str, int] = {}
        self._counters: dict[int, int] = {}

    async def get(self, claim_id: str) -> Claim | None:
        claim = self._read(claim_id)
        await self._db._after_load()
        return claim

    async def head(self, claim_id: str) -> ClaimHead | None:
        claim = self._read(claim_id)
        return None if claim is None else ClaimHead.of(claim)

    async def for_decision(self, claim_id: str) -> tuple[Claim, Claimant | None] | None:
        claim = await self.get(claim_id)  # whole: a fake has nothing to save by reading less
        return None if claim is None else (
            claim, copy.deepcopy(self._db.claimants.get(claim.claimant_id)))

    async def by_reference(self, reference: str) -> Claim | None:
        claim = next((c for c in self._rows() if c.reference == reference), None)
        await self._db._after_load()
        return claim

    async def add(self, claim: Claim) -> None:
        if self._read(claim.id) is not None:
            raise ValueError(f"claim {claim.id} exists")
        self._write(claim.id, claim)

    async def save(self, claim: Claim) -> None:
        stored = self._read(claim.id)
        if stored is None or stored.version != claim.version:
            raise ChangedMeanwhile()
        self._seen.setdefault(claim.id, claim.version)
        claim.version += 1
        self._write(claim.id, claim)

    def check(self) -> None:
        for claim_id, seen in self._seen.items():
            committed = self._committed.get(claim_id)
            if committed is None or committed.version != seen:
                raise ChangedMeanwhile()

    def flush(self) -> None:
        for claim in self.pending.values():
            claim.new_events.clear()
        super().flush()
        self._seen.clear()
        self._db.references.update(self._counters)
        self._counters.clear()

    async def next_reference(self, year: int) -> str:
        number = self._counters.get(year, self._db.references.get(year, 0)) + 1
        self._counters[year] = number
        return f"K-{year}-{number:06d}"

    def _newest_first(self, claims: list[Claim]) -> Sequence[Claim]:
        return sorted(claims, key=lambda c: c.reference, reverse=True)

    async def for_claimant(self, claimant_id: str, *, newest: int | None = None,
                           statuses: Sequence[Status] = ()) -> Sequence[Claim]:
        mine = self._newest_first([c for c in self._rows() if c.claimant_id == claimant_id
                                   and (not statuses or c.status in statuses)])
        return mine[:newest]

    async def heads_for_claimant(self, claimant_id: str, *, newest: int | None = None,
                                 statuses: Sequence[Status] = ()) -> Sequence[ClaimHead]:
        return [ClaimHead.of(c) for c in await self.for_claimant(
            claimant_id, newest=newest, statuses=statuses)]

    async def newest_lines(self, claimant_id: str, newest: int) -> Sequence[Claim]:
        return [replace(c, approvals=[], events=[])
                for c in await self.for_claimant(claimant_id, newest=newest)]

    async def for_payer(self, slug: str) -> Sequence[Claim]:
        return self._newest_first([c for c in self._rows() if slug in c.payers])

    async def awaiting(self, approver: str) -> Sequence[Claim]:
        return self._newest_first([
            c for c in self._rows()
            if any(a.state == "open" and approver in a.approvers for a in c.approvals)])

    async def in_status(self, statuses: Sequence[Status],
                        payer: str | None = None) -> Sequence[Claim]:
        return self._newest_first([c for c in self._rows() if c.status in statuses
                                   and (payer is None or payer in c.payers)])

    async def untouched(self, statuses: Sequence[Status], before: datetime
                        ) -> Sequence[Claim]:
        return self._newest_first([c for c in self._rows() if c.status in statuses
                                   and c.events and c.events[-1].at <= before])

    async def trip_ended_in(self, statuses: Sequence[Status],
                            spans: Sequence[tuple[date, date]]) -> Sequence[Claim]:
        def ended_in(claim: Claim) -> bool:
            end = max((line.last_date for line in claim.lines), default=None)
            return end is not None and any(a <= end <= b for a, b in spans)
        return self._newest_first([c for c in self._rows()
                                   if c.status in statuses and ended_in(c)])

    async def waiting_since(self, before: datetime) -> Sequence[Claim]:
        def waiting(claim: Claim) -> bool:
            opened = dict(figures.stages_opened(claim))
            return any(a.round == claim.round and a.state == "open" and (
                opened.get((a.round, a.payer, a.stage), claim.submitted_at) or before) < before
                for a in claim.approvals)
        return self._newest_first([c for c in self._rows()
                                   if c.status is Status.AWAITING and waiting(c)])



class FakeClaimants(_Table[str, Claimant]):
    """``ClaimantRepository`` on a dict."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.claimants)

    async def get(self, claimant_id: str) -> Claimant | None:
        return self._read(claimant_id)

    async def by_telegram(self, telegram_id: int) -> Claimant | None:
        return next((c for c in self._rows() if c.telegram_id == telegram_id), None)

    async def add(self, claimant: Claimant) -> None:
        self._write(claimant.id, claimant)

    async def save(self, claimant: Claimant) -> None:
        self._write(claimant.id, claimant)


class FakeOrganisations(_Table[str, StoredOrganisation]):
    """``OrganisationRepository`` on a dict."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.organisations)

    async def get(self, slug: str) -> StoredOrganisation | None:
        return self._read(slug)

    async def many(self, slugs: Sequence[str]) -> dict[str, StoredOrganisation | None]:
        return {slug: self._read(slug) for slug in slugs}

    async def put(self, stored: StoredOrganisation) -> None:
        self._write(stored.organisation.slug, stored)

    async def all(self) -> Sequence[StoredOrganisation]:
        return sorted(self._rows(), key=lambda s: s.organisation.slug)


class FakeInvites(_Table[str, Invite]):
    """``InviteRepository`` on a dict."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.invites)

    async def get(self, code: str) -> Invite | None:
        return self._read(code)

    async def add(self, invite: Invite) -> None:
        self._write(invite.code, invite)

    async def save(self, invite: Invite) -> None:
        self._write(invite.code, invite)


class FakeOutbox(_Table[str, FakeOutboxRow]):
    """``Outbox`` on a dict keyed by dedupe key, with the store's leases and backoff.

    Like the SQL outbox (``store/outbox.py``): a repeated key is ignored, ``claim_due``
    leases due rows for ``lease`` (``LEASE``), a failure backs off and gives up after
    ``MAX_ATTEMPTS``; every change waits for the commit.
    """

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.outbox)
        self._db = db

    async def add(self, message: OutboxMessage, at: datetime) -> None:
        if self._read(message.dedupe_key) is None:
            self._db.outbox_ids += 1  # like a sequence, not given back on rollback
            self._write(message.dedupe_key, FakeOutboxRow(self._db.outbox_ids, message, at, at))

    def _sorted(self) -> list[FakeOutboxRow]:
        return sorted(self._rows(), key=_by_id)

    def _change(self, row_id: int, change: Callable[[FakeOutboxRow], None]) -> None:
        for row in self._rows():
            if row.id == row_id:
                change(row)
                self._write(row.message.dedupe_key, row)

    async def claim_due(self, channel: str, now: datetime, limit: int = 20,
                        lease: timedelta = LEASE) -> list[OutboxRow]:
        due = [r for r in self._sorted() if r.message.channel == channel and (
            (r.status == "pending" and r.next_try_at <= now)
            or (r.status == "sending" and r.locked_until is not None and r.locked_until <= now))]
        for row in due[:limit]:
            self._write(row.message.dedupe_key,
                        replace(row, status="sending", locked_until=now + lease))
        return [OutboxRow(r.id, r.message, r.attempts) for r in due[:limit]]

    async def extend_lease(self, row_id: int, until: datetime) -> None:
        def extend(row: FakeOutboxRow) -> None:
            if row.status == "sending":
                row.locked_until = until
        self._change(row_id, extend)

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        def sent(row: FakeOutboxRow) -> None:
            row.status, row.sent_at, row.locked_until = "sent", now, None
            row.attempts += 1
        self._change(row_id, sent)

    async def mark_failed(self, row_id: int, now: datetime, error: str, *,
                          permanent: bool = False, counted: bool = True) -> None:
        def failed(row: FakeOutboxRow) -> None:
            row.attempts += 1 if counted else 0
            row.status = "failed" if permanent or row.attempts >= MAX_ATTEMPTS else "pending"
            row.next_try_at = now + retry_wait(row.attempts, counted=counted)
            row.locked_until = None
            row.last_error = error[:2000]
        self._change(row_id, failed)

    async def queued(self, kind: type[Message] | None = None, *, status: str | None = None,
                     since: datetime | None = None) -> list[QueuedMessage]:
        return [QueuedMessage(r.message, r.created_at, r.status, r.last_error)
                for r in self._sorted()
                if (kind is None or r.message.kind == kind.kind)
                and (status is None or r.status == status)
                and (since is None or r.created_at >= since)]

    async def queued_each(self, asks: Sequence[QueuedAsk]) -> list[list[QueuedMessage]]:
        return [await self.queued(kind, status=status, since=since)
                for kind, status, since in asks]


class FakeReplyKeys(_Table[str, ReplyKey]):
    """``ReplyKeyRepository`` on a dict."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.reply_keys)

    async def add(self, key: ReplyKey) -> None:
        if self._read(key.key) is not None:
            raise ValueError(f"reply key {key.key} exists")
        self._write(key.key, key)

    async def get(self, key: str) -> ReplyKey | None:
        return self._read(key)

    async def for_approval(self, claim_id: str, payer: str, stage: int, round_: int,
                           approver: str) -> ReplyKey | None:
        found = [k for k in self._rows() if (k.claim_id, k.payer, k.stage, k.round, k.approver)
                 == (claim_id, payer, stage, round_, approver)]
        return max(reversed(found), key=lambda k: k.created_at) if found else None


class FakeAttachments(_Table[str, tuple[str, int]]):
    """``AttachmentRepository`` on a dict: hash → (type, size)."""

    def __init__(self, db: FakeDatabase) -> None:
        super().__init__(db.attachments)

    async def add(self, content_hash: str, mime: str, size: int, at: datetime) -> None:
        if self._read(content_hash) is None:
            self._write(content_hash, (mime, size))

    async def mime(self, content_hash: str) -> str | None:
        found = self._read(content_hash)
        return None if found is None else found[0]


class FakeDialogs(_Table[int, DialogState]):
    """``DialogRepository`` on a dict."""

    def __init__(self, db: FakeDatabase, claimants: FakeClaimants) -> None:
        super().__init__(db.dialogs)
        self._claimants = claimants

    async def get(self, chat_id: int) -> DialogState | None:
        return self._read(chat_id)

    async def open(self, chat_id: int, telegram_id: int
                   ) -> tuple[DialogState | None, Claimant | None]:
        return self._read(chat_id), await self._claimants.by_telegram(telegram_id)

    async def put(self, state: DialogState) -> None:
        self._write(state.chat_id, state)


class FakeInbound:
    """``InboundLog`` on the database's dicts (committed at once: tests read outcomes)."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def outcome(self, message_id: str) -> str | None:
        return self.db.inbound.get(message_id)

    async def record(self, message_id: str, at: datetime, outcome: str, detail: str,
                     claim_id: str | None) -> bool:
        if message_id in self.db.inbound:
            return False
        self.db.inbound[message_id] = outcome
        self.db.inbound_records.append((message_id, at, outcome, detail, claim_id))
        return True

    async def mark_bouncing(self, address: str, at: datetime, detail: str) -> None:
        self.db.bouncing[address] = detail
        self.db.bouncing_since.setdefault(address, at)

    async def issue_bounce_token(self, token: str, recipient: str, at: datetime) -> None:
        self.db.bounce_tokens[token] = recipient.lower()

    async def bounce_recipient(self, token: str) -> str | None:
        return self.db.bounce_tokens.get(token)

    async def failure(self, message_id: str) -> InboundFailure | None:
        return self.db.inbound_failures.get(message_id)

    async def waiting(self, now: datetime) -> Mapping[str, datetime]:
        return {f.message_id: f.retry_at for f in self.db.inbound_failures.values()
                if f.retry_at > now}

    async def record_failure(self, message_id: str, at: datetime, error: str,
                             retry_at: datetime) -> int:
        before = self.db.inbound_failures.get(message_id)
        attempts = 1 if before is None else before.attempts + 1
        self.db.inbound_failures[message_id] = InboundFailure(message_id, attempts, error,
                                                              retry_at)
        return attempts

    async def bouncing(self) -> list[BouncingAddress]:
        return [BouncingAddress(a, self.db.bouncing_since.get(a, datetime.min), d)
                for a, d in sorted(self.db.bouncing.items())]

    async def recorded(self, since: datetime, outcomes: Sequence[str]) -> list[InboundRecord]:
        found = []
        for message_id, at, outcome, detail, claim_id in self.db.inbound_records:
            failure = self.db.inbound_failures.get(message_id)
            if at >= since and outcome in outcomes:
                found.append(InboundRecord(message_id, at, outcome, detail, claim_id,
                                           failure.attempts if failure else 0))
        return sorted(found, key=lambda r: r.at)


class FakeReports:
    """``Reports`` worked out from the claims in Python, by the store's figures."""

    def __init__(self, claims: FakeClaims, claimants: FakeClaimants) -> None:
        self._claims, self._claimants = claims, claimants

    def _person(self, claimant_id: str) -> tuple[str, str, str]:
        found = self._claimants._read(claimant_id)
        return ("", "", "") if found is None else (found.name, found.email,
                                                   found.bank_account)

    def _approved(self, payer: str, start: datetime, end: datetime) -> list[Claim]:
        return sorted((c for c in self._claims._rows() if payer in c.payers
                       and (at := figures.approved_at(c)) is not None and start <= at < end),
                      key=lambda c: c.reference)

    async def income(self, payer: str, start: datetime, end: datetime) -> list[IncomeSum]:
        sums: dict[tuple[str, str, str | None], list[Any]] = {}
        for claim in self._approved(payer, start, end):
            for row in figures.claim_figures(claim).income:
                if row.payer != payer:
                    continue
                found = sums.setdefault((claim.claimant_id, row.code, row.item_type),
                                        [ZERO, ZERO, ZERO, set()])
                found[0] += row.count
                found[1] += row.taxfree
                found[2] += row.taxable
                found[3].add(claim.reference)
        return [IncomeSum(who, self._person(who)[0], self._person(who)[2], code, item_type,
                          count, free, taxed, tuple(sorted(refs)))
                for (who, code, item_type), (count, free, taxed, refs) in sums.items()]

    async def approved(self, payer: str, start: datetime, end: datetime) -> list[ClaimShare]:
        return [ClaimShare(c.id, c.reference, c.title, c.claimant_id,
                           self._person(c.claimant_id)[0], self._person(c.claimant_id)[1],
                           c.status, dict(c.allocation),
                           figures.claim_figures(c).shares[payer])
                for c in self._approved(payer, start, end)]

    async def payroll_claims(self, payer: str, start: datetime,
                             end: datetime) -> PayrollClaims:
        found = sorted(await self.approved(payer, start, end), key=lambda c: c.reference)
        return PayrollClaims(tuple(c.claim_id for c in found),
                             tuple(c.reference for c in found),
                             tuple(c.claimant_id for c in found),
                             tuple(c.status for c in found),
                             Totals(sum((c.share.amount for c in found), ZERO),
                                    sum((c.share.taxfree for c in found), ZERO)))

    async def payer_totals(self, payer: str, start: datetime,
                           end: datetime) -> dict[str, Totals]:
        found: dict[str, Totals] = {}
        for claim in self._approved(payer, start, end):
            for slug, share in figures.claim_figures(claim).shares.items():
                now = found.get(slug, Totals(ZERO, ZERO))
                found[slug] = Totals(now.amount + share.amount, now.taxfree + share.taxfree)
        return found

    async def open_stages(self, payer: str) -> list[OpenStage]:
        found = []
        for c in self._claims._rows():
            if c.status is not Status.AWAITING or payer not in c.payers:
                continue
            opened = dict(figures.stages_opened(c))
            name, email, _ = self._person(c.claimant_id)
            found += [OpenStage(c.id, c.reference, c.title, name, email, a.payer, a.stage_name,
                                a.approvers, opened.get((a.round, a.payer, a.stage),
                                                        c.submitted_at or datetime.min))
                      for a in c.round_approvals() if a.state == "open"]
        return found

    async def returned(self, payer: str) -> list[ReturnedClaimRow]:
        found = []
        for c in self._claims._rows():
            event = figures.returned(c)
            if event is not None and payer in c.payers:
                name, email, _ = self._person(c.claimant_id)
                found.append(ReturnedClaimRow(c.reference, c.title, name, email,
                                              c.returned_by or "", event.text, event.at))
        return found

    async def unpaid(self, payer: str, start: datetime, end: datetime) -> list[str]:
        inside = {c.id for c in self._approved(payer, start, end)}
        return sorted(c.reference for c in self._claims._rows() if payer in c.payers
                      and c.status is Status.APPROVED and c.id not in inside)

    async def claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, tuple[str, tuple[str,
                                                                                         ...]]]:
        return {c.id: (c.reference, c.payers) for c in self._claims._rows()
                if c.id in set(claim_ids)}


class FakeBlobs:
    """``BlobStore`` in memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        content_hash = hashlib.sha256(data).hexdigest()
        self.files[content_hash] = data
        return content_hash

    def get(self, content_hash: str) -> bytes:
        return self.files[content_hash]


class FakeUnitOfWork:
    """``UnitOfWork`` over a ``FakeDatabase``: commit writes back, anything else is lost."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.claims = FakeClaims(db)
        self.claimants = FakeClaimants(db)
        self.organisations = FakeOrganisations(db)
        self.invites = FakeInvites(db)
        self.outbox = FakeOutbox(db)
        self.reply_keys = FakeReplyKeys(db)
        self.attachments = FakeAttachments(db)
        self.dialogs = FakeDialogs(db, self.claimants)
        self.inbound = FakeInbound(db)
        self.reports = FakeReports(self.claims, self.claimants)
        self.committed = False

    def _tables(self) -> tuple[_Table[str, object], ...]:
        return (self.claims, self.claimants, self.organisations,  # type: ignore[return-value]
                self.invites, self.outbox, self.reply_keys, self.attachments,
                self.dialogs)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        for table in self._tables():
            table.pending.clear()

    async def commit(self) -> None:
        for table in self._tables():
            table.check()
        for table in self._tables():
            table.flush()
        self.db.commits += 1
        self.committed = True


def _conforms(uow: FakeUnitOfWork) -> UnitOfWork:
    """Type-check that the fakes implement the real ports (mypy reads this)."""
    claims: ClaimRepository = uow.claims
    claimants: ClaimantRepository = uow.claimants
    organisations: OrganisationRepository = uow.organisations
    invites: InviteRepository = uow.invites
    outbox: Outbox = uow.outbox
    reply_keys: ReplyKeyRepository = uow.reply_keys
    attachments: AttachmentRepository = uow.attachments
    dialogs: DialogRepository = uow.dialogs
    inbound: InboundLog = uow.inbound
    reports: Reports = uow.reports
    blobs: BlobStore = FakeBlobs()
    del claims, claimants, organisations, invites, outbox, reply_keys, attachments, blobs
    del dialogs, inbound, reports
    return uow
