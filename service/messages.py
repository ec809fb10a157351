"""What the outbox carries: one frozen class per kind of message, read by its workers.

A message holds what its worker needs to render it without reading the database
again. ``kind`` is the wire name stored in the outbox's ``kind`` column (the names
rows were always written with); the fields are its JSON payload, written and read by
``MESSAGES`` (``domain.wire``), so a row stored before these were classes still reads.
``about()`` names the claims a message concerns. ``channels`` says which workers
deliver it: each worker dispatches through one table keyed by these classes
(``mail.outbound.COMPOSERS``, ``bot.notices.NOTICES``), and a test checks every class
has an entry in the table of each of its channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from domain.wire import Kinds
from service.digest_model import Digest

EMAIL, TELEGRAM = "email", "telegram"


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """Anything the outbox delivers."""

    kind: ClassVar[str]
    channels: ClassVar[frozenset[str]]

    def about(self) -> tuple[str, ...]:
        """The claims this message is about (the digest lists failures by claim)."""
        claim_id = getattr(self, "claim_id", None)
        return (claim_id,) if claim_id else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimNotice(Message):
    """A notice about one event of one claim, to its claimant or its approvers."""

    claim_id: str
    reference: str
    title: str
    round: int
    payer: str | None
    payer_name: str
    stage: int | None
    text: str
    actor: str
    lang: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequest(ClaimNotice):
    """A stage opened: the claim, its PDF and receipts, to one approver with a reply key."""

    kind: ClassVar[str] = "approval_request"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    reply_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnedNotice(ClaimNotice):
    """The claim was sent back to the claimant; ``text`` is the reason."""

    kind: ClassVar[str] = "returned"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM, EMAIL})


@dataclass(frozen=True, slots=True, kw_only=True)
class PayerApprovedNotice(ClaimNotice):
    """One payer approved; others still wait."""

    kind: ClassVar[str] = "payer_approved"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM})


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimApprovedNotice(ClaimNotice):
    """Every payer approved."""

    kind: ClassVar[str] = "claim_approved"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM})


@dataclass(frozen=True, slots=True, kw_only=True)
class PaidNotice(ClaimNotice):
    """The claim was paid; ``text`` is the payroll date (ISO)."""

    kind: ClassVar[str] = "paid"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM})


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproverComment(ClaimNotice):
    """An approver's comment, to the claimant."""

    kind: ClassVar[str] = "commented"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM, EMAIL})


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimantComment(ClaimNotice):
    """The claimant's comment, to the approvers of the open stages (with a reply key)."""

    kind: ClassVar[str] = "claimant_comment"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    reply_key: str
    stage_payer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawnNotice(ClaimNotice):
    """The claimant withdrew the claim: its approvers need not look any more."""

    kind: ClassVar[str] = "claim_withdrawn"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    stage_payer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionConfirmation(Message):
    """To the approver whose emailed decision was applied."""

    kind: ClassVar[str] = "decision_confirmation"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    claim_id: str
    reference: str
    decision: Literal["approve", "return", "comment"]
    text: str
    in_reply_to: str
    subject: str
    payer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal(Message):
    """To the sender of a reply that was not applied; ``refusal`` names the reason."""

    kind: ClassVar[str] = "refusal"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    refusal: str
    claim_id: str | None = None
    in_reply_to: str = ""
    subject: str = ""
    payer: str | None = None
    reference: str | None = None
    reply_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminDigest(Message):
    """One organisation's digest to one admin, with the next payroll run's CSV (base64).

    Data only: ``mail`` words it in ``lang``. Without a CSV it names the command that
    writes the payroll file instead of saying the file is attached.
    """

    kind: ClassVar[str] = "admin_digest"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    org: str
    lang: str
    digest: Digest
    payroll_csv: str = ""
    payroll_csv_name: str = "lonn.csv"


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingClaim:
    """One claim an approver's stage has waited on, with the reply key that decides it."""

    claim_id: str
    reference: str
    title: str
    payer: str
    payer_name: str
    stage: int
    stage_name: str
    round: int
    days_open: int
    reply_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproverReminder(WaitingClaim, Message):
    """The longest-waiting claim of an approver (its fields), the others in ``also``."""

    kind: ClassVar[str] = "reminder_approver"
    channels: ClassVar[frozenset[str]] = frozenset({EMAIL})
    lang: str
    also: tuple[WaitingClaim, ...] = ()

    def about(self) -> tuple[str, ...]:
        """The first claim and every other one listed."""
        return (self.claim_id, *(c.claim_id for c in self.also))


@dataclass(frozen=True, slots=True, kw_only=True)
class IdleClaim:
    """A draft or returned claim untouched for ``idle_days``."""

    claim_id: str
    reference: str
    title: str
    status: str
    idle_days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimantReminder(Message):
    """A nudge naming a claimant's idle claims; ``message`` is already in their language."""

    kind: ClassVar[str] = "reminder_claimant"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM})
    claim_id: str
    reference: str
    title: str
    lang: str
    message: str
    claims: tuple[IdleClaim, ...] = ()

    def about(self) -> tuple[str, ...]:
        """Every claim the nudge names."""
        return (self.claim_id, *(c.claim_id for c in self.claims))


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineWarning(Message):
    """A claim's submit deadline is near; ``message`` is already in the claimant's language."""

    kind: ClassVar[str] = "deadline_warning"
    channels: ClassVar[frozenset[str]] = frozenset({TELEGRAM})
    claim_id: str
    reference: str
    title: str
    deadline: str
    lang: str
    message: str


MESSAGES: Kinds[Message] = Kinds([
    ApprovalRequest, ReturnedNotice, PayerApprovedNotice, ClaimApprovedNotice, PaidNotice,
    ApproverComment, ClaimantComment, WithdrawnNotice, DecisionConfirmation, Refusal,
    AdminDigest, ApproverReminder, ClaimantReminder, DeadlineWarning])


@dataclass(frozen=True, slots=True)
class UnreadableMessage:
    """A stored row no class reads (an unknown kind, a missing field): failed for good."""

    kind: str
    payload: dict[str, Any]
    error: str

    def about(self) -> tuple[str, ...]:
        """The claim the raw payload names, if any."""
        claim_id = self.payload.get("claim_id")
        return (str(claim_id),) if claim_id else ()
