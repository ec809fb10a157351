"""What an admin digest says, as data; ``mail`` puts it in words (``admin_digest.*``).

``service.digest`` gathers it; the ``AdminDigest`` outbox message carries it. Only data
here (names, counts, amounts, times), no words: the mail side says it in the admin's
language. Every class goes through the outbox's codec (``domain.wire``), so a field is
a plain value, a ``Decimal``, a time, a mapping or another class of this module.

A new section of the digest is a field of ``Digest`` with a default (so rows queued
before it still read), filled by ``service.digest``, named in
``mail.compose.DIGEST_SECTIONS``, and a macro of that name in each language's template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.calc import Totals
from domain.calendar import local_date


@dataclass(frozen=True, slots=True)
class WaitingStage:
    """An open approval stage of a claim this organisation pays."""

    reference: str
    title: str
    claimant: str
    payer: str
    stage_name: str
    approvers: tuple[str, ...]
    days: int
    flagged: bool
    reminders: int


@dataclass(frozen=True, slots=True)
class ReturnedClaim:
    """A claim sent back, waiting for its claimant."""

    reference: str
    title: str
    claimant: str
    returned_by: str
    reason: str
    days: int


@dataclass(frozen=True, slots=True)
class ApprovedClaim:
    """A claim approved since the last digest, and this organisation's share of it."""

    reference: str
    title: str
    claimant: str
    share: Totals


@dataclass(frozen=True, slots=True)
class Failure:
    """A message given up for good."""

    kind: str
    channel: str
    recipient: str
    reference: str
    error: str


@dataclass(frozen=True, slots=True)
class BouncingAddress:
    """An address mail to which bounced, since when, and the bounce's explanation."""

    address: str
    since: datetime
    detail: str


@dataclass(frozen=True, slots=True)
class FailedInbound:
    """An inbound message we could not handle in all its tries: now in the Failed mailbox."""

    message_id: str
    at: datetime
    attempts: int
    error: str  # the first line of the last error


@dataclass(frozen=True, slots=True)
class Strangers:
    """Replies refused because they came from someone who may not decide.

    ``wrong_sender``: a valid key of a claim this organisation pays, from someone other than
    the approver it was sent to (or without the required DMARC proof); ``unknown_key``: a
    reply address with no key we issued, which names no organisation (counted in every
    organisation's digest). Neither is answered unless the sender is a known approver.
    """

    wrong_sender: int = 0
    unknown_key: int = 0


@dataclass(frozen=True, slots=True)
class NextPayroll:
    """The organisation's next payroll run: what it pays, and what an admin must fix."""

    period: str
    payroll_date: date
    start: datetime
    end: datetime
    claims: tuple[str, ...]
    people: int
    totals: Totals
    outlays: Decimal
    missing_accounts: tuple[str, ...]
    unpaid_earlier: tuple[str, ...] = ()

    @property
    def last_day(self) -> date:
        """The last day (Oslo) of the approvals the run takes."""
        return local_date(self.end - timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything in one organisation's digest."""

    slug: str
    name: str
    admins: tuple[str, ...]
    at: datetime
    since: datetime
    flag_days: int
    waiting: tuple[WaitingStage, ...]
    returned: tuple[ReturnedClaim, ...]
    approved: tuple[ApprovedClaim, ...]
    per_payer: Mapping[str, Totals]
    per_dimension: Mapping[str, Mapping[str, Totals]]
    payroll: NextPayroll
    failures: tuple[Failure, ...] = ()
    bouncing: tuple[BouncingAddress, ...] = ()
    failed_inbound: tuple[FailedInbound, ...] = ()
    strangers: Strangers = Strangers()
