"""The ports the use cases need: repositories and the unit of work.

The SQL store (``store``) implements them for SQLite and PostgreSQL; the
service tests implement them with plain dicts. Both must behave the same, which
is what the shared store tests check (``tests/integration/test_store_contract.py``: each
test on the fakes, SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self, TypeAlias, overload

from domain.calc import Totals
from domain.claim import Claim, Status
from domain.claimant import Claimant, Invite
from domain.organisation import Organisation
from service.digest_model import BouncingAddress as BouncingAddress
from service.messages import MESSAGES, Message, UnreadableMessage


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One thing to deliver to ``recipient`` over ``channel``, rendered later by its worker.

    ``body`` is the typed message (``service.messages``); a stored row no class reads
    comes back as an ``UnreadableMessage``, which every worker fails for good.
    ``dedupe_key`` makes writing the same notification twice a no-op.
    """

    body: Message | UnreadableMessage
    channel: str
    recipient: str
    dedupe_key: str

    def __post_init__(self) -> None:
        if isinstance(self.body, Message) and self.channel not in self.body.channels:
            raise ValueError(f"{self.body.kind!r} is not delivered by {self.channel!r}")

    @property
    def kind(self) -> str:
        """The wire name of the body (the outbox's ``kind`` column)."""
        return self.body.kind

    @property
    def payload(self) -> dict[str, Any]:
        """The body as stored (the outbox's ``payload`` column)."""
        if isinstance(self.body, UnreadableMessage):
            return self.body.payload
        return MESSAGES.encode(self.body)


@dataclass(frozen=True, slots=True)
class ReplyKey:
    """A random key in an approver's reply address, bound to one approval."""

    key: str
    claim_id: str
    payer: str
    stage: int
    round: int
    approver: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredOrganisation:
    """An organisation as applied, its canonical JSON, and that JSON's hash (idempotence)."""

    organisation: Organisation
    source: str
    source_hash: str


@dataclass(frozen=True, slots=True)
class ClaimHead:
    """A claim's own row without its lines, approvals or log: whose, who pays, which rates.

    What most of a dialog turn needs of the open claim (the payers' buttons, the rate
    set of a typed date); read in one statement where the whole claim takes four.
    """

    id: str
    reference: str
    claimant_id: str
    payers: tuple[str, ...]
    title: str
    rate_set: str
    status: Status

    @classmethod
    def of(cls, claim: Claim) -> ClaimHead:
        """The head of a whole claim."""
        return cls(claim.id, claim.reference, claim.claimant_id, claim.payers, claim.title,
                   claim.rate_set, claim.status)


class ClaimRepository(Protocol):
    """Claims by id and by who may see them."""

    async def get(self, claim_id: str) -> Claim | None:
        """The claim, or None."""

    async def head(self, claim_id: str) -> ClaimHead | None:
        """The claim's own row (``ClaimHead``), or None; as saved in this unit of work."""

    async def by_reference(self, reference: str) -> Claim | None:
        """The claim with this readable reference (``K-2026-000123``), or None."""

    async def for_decision(self, claim_id: str) -> tuple[Claim, Claimant | None] | None:
        """The claim as an approver's decision reads it, with its claimant; or None.

        The claimant is whom the decision's notices go to. The claim has its approvals
        whole, its lines and its log left unread (``events`` empty, ``earlier_events``
        counting the log); saved, it writes only the claim's row, the approvals that
        changed and the new events. Lines added to it cannot be saved.
        """

    async def add(self, claim: Claim) -> None:
        """Store a new claim."""

    async def save(self, claim: Claim) -> None:
        """Store changes; raises ``ChangedMeanwhile`` if someone saved a newer version."""

    async def next_reference(self, year: int) -> str:
        """A new readable reference for ``year``."""

    async def for_claimant(self, claimant_id: str, *, newest: int | None = None,
                           statuses: Sequence[Status] = ()) -> Sequence[Claim]:
        """A claimant's claims, newest first: the ``newest`` few, in ``statuses``, if given."""

    async def heads_for_claimant(self, claimant_id: str, *, newest: int | None = None,
                                 statuses: Sequence[Status] = ()) -> Sequence[ClaimHead]:
        """``for_claimant``'s claims as heads only (``ClaimHead``): one statement."""

    async def newest_lines(self, claimant_id: str, newest: int) -> Sequence[Claim]:
        """The ``newest`` claims with their lines only (no approvals, no log): never saved.

        For reading what the last claims offer ("Som sist"), newest first.
        """

    async def for_payer(self, slug: str) -> Sequence[Claim]:
        """Claims where ``slug`` is a payer, newest first."""

    async def awaiting(self, approver: str) -> Sequence[Claim]:
        """Claims with a stage open for this approver's email, newest first."""

    async def in_status(self, statuses: Sequence[Status],
                        payer: str | None = None) -> Sequence[Claim]:
        """Claims in one of ``statuses`` (where ``payer`` pays, if given), newest first."""

    async def untouched(self, statuses: Sequence[Status], before: datetime
                        ) -> Sequence[Claim]:
        """Claims in ``statuses`` whose log's last event is at or before ``before``."""

    async def trip_ended_in(self, statuses: Sequence[Status],
                            spans: Sequence[tuple[date, date]]) -> Sequence[Claim]:
        """Claims in ``statuses`` whose last trip day lies in one of ``spans`` (inclusive)."""

    async def waiting_since(self, before: datetime) -> Sequence[Claim]:
        """Awaiting claims with a stage of their round open since before ``before``."""


class ClaimantRepository(Protocol):
    """Claimants by id and Telegram user id."""

    async def get(self, claimant_id: str) -> Claimant | None:
        """The claimant, or None."""

    async def by_telegram(self, telegram_id: int) -> Claimant | None:
        """The claimant with this Telegram user id, or None."""

    async def add(self, claimant: Claimant) -> None:
        """Store a new claimant."""

    async def save(self, claimant: Claimant) -> None:
        """Store changes."""


class OrganisationRepository(Protocol):
    """Organisations as applied by admins."""

    async def get(self, slug: str) -> StoredOrganisation | None:
        """The organisation, or None."""

    async def many(self, slugs: Sequence[str]) -> dict[str, StoredOrganisation | None]:
        """``get`` for each of ``slugs`` at once (a claim's payers: one read, not one each)."""

    async def put(self, stored: StoredOrganisation) -> None:
        """Create or replace."""

    async def all(self) -> Sequence[StoredOrganisation]:
        """Every organisation, by slug."""


class InviteRepository(Protocol):
    """Invite codes."""

    async def get(self, code: str) -> Invite | None:
        """The invite, or None."""

    async def add(self, invite: Invite) -> None:
        """Store a new invite."""

    async def save(self, invite: Invite) -> None:
        """Store changes (its use count)."""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued message leased to a delivery worker."""

    id: int
    message: OutboxMessage
    attempts: int


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """An outbox row as the digest and the reminders read it: what, when, and how it went."""

    message: OutboxMessage
    created_at: datetime
    status: str
    last_error: str | None = None


QueuedAsk: TypeAlias = tuple[type[Message] | None, str | None, datetime | None]
"""What ``Outbox.queued_each`` is asked for each time: (kind, status, since)."""


# The outbox's delivery contract, kept by the SQL store and the test fakes alike.
MAX_ATTEMPTS = 8
# short, so a row whose worker was killed is sent again within about a minute; the worker
# renews it (``extend_lease``) every third of it while a send is in progress. The default
# of ``Env.lease`` (``KVITT_OUTBOX_LEASE``).
LEASE = timedelta(minutes=1)


AWAY_WAIT = timedelta(seconds=10)  # between tries while the server cannot be reached


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min … capped at 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def retry_wait(attempts: int, *, counted: bool = True) -> timedelta:
    """Wait after a failed try: ``backoff``, or ``AWAY_WAIT`` when the server was away.

    A row that failed only because its server was away did nothing wrong, and should go
    soon after the server is back.
    """
    return backoff(attempts) if counted else AWAY_WAIT


class Outbox(Protocol):
    """What is to be delivered, written in the same transaction as the change.

    A row is due when it is pending and its next try has come, or when the lease of the
    worker that took it has run out (the worker died). ``claim_due`` leases the rows it
    returns for ``lease`` (default ``LEASE``); a failure backs off (``backoff``) and after
    ``MAX_ATTEMPTS`` tries, or at once when permanent, the row is failed for good.
    """

    async def add(self, message: OutboxMessage, at: datetime) -> None:
        """Queue a message; a second add with the same ``dedupe_key`` does nothing."""

    async def claim_due(self, channel: str, now: datetime, limit: int = 20,
                        lease: timedelta = LEASE) -> Sequence[OutboxRow]:
        """Lease up to ``limit`` due rows of ``channel`` to the calling worker, for ``lease``."""

    async def extend_lease(self, row_id: int, until: datetime) -> None:
        """Keep a row leased while its send is still in progress (the heartbeat)."""

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        """The row was delivered: never send it again."""

    async def mark_failed(self, row_id: int, now: datetime, error: str, *,
                          permanent: bool = False, counted: bool = True) -> None:
        """A try failed: retry after ``backoff(attempts)``, or give up for good.

        ``counted=False``: the server was away, not the row's fault: its attempts stay as
        they were (never given up for it), retried after ``AWAY_WAIT`` (``retry_wait``).
        """

    async def queued(self, kind: type[Message] | None = None, *, status: str | None = None,
                     since: datetime | None = None) -> Sequence[QueuedMessage]:
        """Rows of class ``kind`` / ``status`` queued at or after ``since``, oldest first."""

    async def queued_each(self, asks: Sequence[QueuedAsk]) -> list[list[QueuedMessage]]:
        """``queued(kind, status=…, since=…)`` for each of ``asks``, in one read."""


class ReplyKeyRepository(Protocol):
    """Reply keys for approvers' email replies."""

    async def add(self, key: ReplyKey) -> None:
        """Store a new key."""

    async def get(self, key: str) -> ReplyKey | None:
        """The key, or None."""

    async def for_approval(self, claim_id: str, payer: str, stage: int, round_: int,
                           approver: str) -> ReplyKey | None:
        """The newest key sent to ``approver`` for that approval, or None."""


@dataclass(slots=True)
class DialogState:
    """Where one chat is in a conversation: the flow, the step, the draft so far (JSON)."""

    chat_id: int
    flow: str = ""
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None


class DialogRepository(Protocol):
    """Dialog state per chat."""

    async def get(self, chat_id: int) -> DialogState | None:
        """The chat's state, or None for a chat never seen.

        The row stays locked until the turn ends, so two workers never run one chat's
        turns at once.
        """

    async def open(self, chat_id: int, telegram_id: int
                   ) -> tuple[DialogState | None, Claimant | None]:
        """``get``'s state (locked the same way) and the claimant of ``telegram_id``, or None.

        A dialog turn needs both first; the SQL store reads them in one statement.
        """

    async def put(self, state: DialogState) -> None:
        """Create or replace the chat's state."""


@dataclass(frozen=True, slots=True)
class InboundFailure:
    """A message whose handling failed as our error: how often, why, and when to try again."""

    message_id: str
    attempts: int
    last_error: str
    retry_at: datetime


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """One inbound message as recorded: when, what became of it, and how often it failed."""

    message_id: str
    at: datetime
    outcome: str
    detail: str  # the subject, or for a message given up, the error
    claim_id: str | None
    attempts: int = 0  # failed tries of ours (``inbound_failures``)


class InboundLog(Protocol):
    """Every inbound message once, keyed on its Message-ID, with what became of it."""

    async def outcome(self, message_id: str) -> str | None:
        """What became of this message before, or None if it is new."""

    async def record(self, message_id: str, at: datetime, outcome: str, detail: str,
                     claim_id: str | None) -> bool:
        """Remember the message and its outcome (True).

        False, and nothing changed, when the message was recorded before (by this writer
        or a concurrent one).
        """

    async def mark_bouncing(self, address: str, at: datetime, detail: str) -> None:
        """An address that bounced: mail to it is suspect until it works again."""

    async def failure(self, message_id: str) -> InboundFailure | None:
        """The failures recorded against this message so far, or None."""

    async def waiting(self, now: datetime) -> Mapping[str, datetime]:
        """Each message that failed and waits to be tried again after ``now``: until when."""

    async def issue_bounce_token(self, token: str, recipient: str, at: datetime) -> None:
        """Remember that mail to ``recipient`` went out with this VERP token."""

    async def bounce_recipient(self, token: str) -> str | None:
        """Who the mail with this VERP token went to (None: not a token we issued)."""

    async def record_failure(self, message_id: str, at: datetime, error: str,
                             retry_at: datetime) -> int:
        """Count one more failed attempt; returns the attempts so far."""

    async def bouncing(self) -> Sequence[BouncingAddress]:
        """Every address marked bouncing, by address."""

    async def recorded(self, since: datetime, outcomes: Sequence[str]
                       ) -> Sequence[InboundRecord]:
        """The messages recorded from ``since`` on with one of ``outcomes``, oldest first."""


class AttachmentRepository(Protocol):
    """What is known of each stored file: its hash, type and size."""

    async def add(self, content_hash: str, mime: str, size: int, at: datetime) -> None:
        """Record a file; recording the same hash again does nothing."""

    async def mime(self, content_hash: str) -> str | None:
        """The recorded type of a stored file, or None if unknown."""


class BlobStore(Protocol):
    """File bytes by content hash, outside the database (the data folder)."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its SHA-256 hex digest."""

    def get(self, content_hash: str) -> bytes:
        """The bytes stored under ``content_hash``."""


@dataclass(frozen=True, slots=True)
class IncomeSum:
    """One claimant's income under one stored code in a period, summed by the store.

    ``code`` and ``item_type`` are as in ``service.figures.IncomeRow``; ``references``
    are the claims behind the sum.
    """

    claimant_id: str
    claimant: str
    bank_account: str
    code: str
    item_type: str | None
    count: Decimal
    taxfree: Decimal
    taxable: Decimal
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClaimShare:
    """An approved claim in a report, and one payer's share of it."""

    claim_id: str
    reference: str
    title: str
    claimant_id: str
    claimant: str
    claimant_email: str
    status: Status
    allocation: dict[str, str]
    share: Totals


@dataclass(frozen=True, slots=True)
class PayrollClaim:
    """A claim in a payroll run: what marking it paid and listing it need."""

    claim_id: str
    reference: str
    claimant_id: str
    status: Status


@dataclass(frozen=True, slots=True)
class PayrollClaims(Sequence[PayrollClaim]):
    """The claims of a payroll run by reference, and the payer's total share of them.

    Kept column by column, each claim made a ``PayrollClaim`` only when asked for: an
    export at 100k claims reads 7,435, and an object each (with a tuple on the way) drove
    the garbage collector, whose full collections cost 45-58 ms on the bench machine
    (bench/README.md, "PostgreSQL reports"). The shares are only summed, never read one
    by one.
    """

    claim_ids: tuple[str, ...]
    references: tuple[str, ...]
    claimant_ids: tuple[str, ...]
    statuses: tuple[Status, ...]
    total: Totals

    def __len__(self) -> int:
        return len(self.claim_ids)

    @overload
    def __getitem__(self, index: int) -> PayrollClaim: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PayrollClaim]: ...

    def __getitem__(self, index: int | slice) -> PayrollClaim | Sequence[PayrollClaim]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return PayrollClaim(self.claim_ids[index], self.references[index],
                            self.claimant_ids[index], self.statuses[index])


@dataclass(frozen=True, slots=True)
class OpenStage:
    """An approval stage waiting for its approvers, and since when."""

    claim_id: str
    reference: str
    title: str
    claimant: str
    claimant_email: str
    payer: str
    stage_name: str
    approvers: tuple[str, ...]
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnedClaimRow:
    """A claim sent back and not yet resubmitted: by which payer, when and why."""

    reference: str
    title: str
    claimant: str
    claimant_email: str
    returned_by: str
    reason: str
    returned_at: datetime


class Reports(Protocol):
    """The admins' reports as a few queries over the figures kept at each decision.

    Each method costs the same number of statements for ten claims and for 100,000;
    "approved in [start, end)" means approved or paid, approved in that period.
    """

    async def income(self, payer: str, start: datetime, end: datetime) -> Sequence[IncomeSum]:
        """``payer``'s income per claimant and code of the claims approved in the period."""

    async def approved(self, payer: str, start: datetime,
                       end: datetime) -> Sequence[ClaimShare]:
        """Claims ``payer`` pays approved in the period, with its share, by reference."""

    async def payroll_claims(self, payer: str, start: datetime,
                             end: datetime) -> PayrollClaims:
        """``approved``: what a payroll run needs of each claim, and ``payer``'s total."""

    async def payer_totals(self, payer: str, start: datetime,
                           end: datetime) -> dict[str, Totals]:
        """Every payer's total of the claims ``payer`` pays approved in the period."""

    async def open_stages(self, payer: str) -> Sequence[OpenStage]:
        """The open stages (any payer's) of the awaiting claims ``payer`` pays."""

    async def returned(self, payer: str) -> Sequence[ReturnedClaimRow]:
        """The returned claims ``payer`` pays."""

    async def unpaid(self, payer: str, start: datetime, end: datetime) -> Sequence[str]:
        """References of claims ``payer`` pays, approved but not paid, outside the period."""

    async def claims_by_id(self, claim_ids: Sequence[str]) -> dict[str, tuple[str, tuple[str,
                                                                                         ...]]]:
        """Reference and payers of each claim that exists among ``claim_ids``."""


class UnitOfWork(Protocol):
    """One transaction: everything done inside is saved by ``commit`` or not at all."""

    @property
    def claims(self) -> ClaimRepository:
        """Claims."""

    @property
    def claimants(self) -> ClaimantRepository:
        """Claimants."""

    @property
    def organisations(self) -> OrganisationRepository:
        """Organisations."""

    @property
    def invites(self) -> InviteRepository:
        """Invites."""

    @property
    def outbox(self) -> Outbox:
        """The outbox."""

    @property
    def reply_keys(self) -> ReplyKeyRepository:
        """Reply keys."""

    @property
    def attachments(self) -> AttachmentRepository:
        """Stored files."""

    @property
    def dialogs(self) -> DialogRepository:
        """Dialog state per chat."""

    @property
    def inbound(self) -> InboundLog:
        """Inbound mail handled."""

    @property
    def reports(self) -> Reports:
        """The admins' report queries."""

    async def __aenter__(self) -> Self:
        """Begin."""

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        """Roll back whatever was not committed."""

    async def commit(self) -> None:
        """Make it all permanent."""
