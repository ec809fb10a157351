"""The claim (*reiseregning*): its lines, its payers, its approval round and its log.

A claim is edited only as a draft or after a return; ``workflow`` moves it
through submit, approval, return, withdraw and payment. Every change appends a
``ClaimEvent`` to the log (who, which channel, when, the source message);
events not yet saved are in ``new_events`` so the service can write their
notifications to the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from domain.calc.result import LineResult
from domain.errors import ClaimLocked, ClaimNotEditable, NotFound
from domain.events import Actor, Channel, ClaimEvent, LineAdded, LineChanged, LineRemoved
from domain.lines import Expense, ItemLine, Line, MileageLeg, PerDiem
from domain.money import NOK, number_text
from domain.text import Text

__all__ = ["Actor", "Approval", "Channel", "Claim", "ClaimEvent", "ClaimLine", "Status"]

class Status(StrEnum):
    """Where a claim is; the words people see are in ``STATUS_TEXT``."""

    DRAFT = "draft"
    AWAITING = "awaiting"
    RETURNED = "returned"
    APPROVED = "approved"
    PAID = "paid"


STATUS_TEXT = {
    Status.DRAFT: Text("Kladd", "Draft"),
    Status.AWAITING: Text("Til godkjenning", "Awaiting approval"),
    Status.RETURNED: Text("Sendt i retur", "Returned"),
    Status.APPROVED: Text("Godkjent", "Approved"),
    Status.PAID: Text("Utbetalt", "Paid"),
}


@dataclass(frozen=True, slots=True)
class ReceiptRead:
    """What was read off an outlay's receipt and offered, kept beside what was confirmed.

    The approver sees when the confirmed amount differs from the one read. ``rate_source``
    and ``rate_date`` say where the exchange rate came from (Norges Bank, and the business
    day it was quoted), when it was not typed by the claimant.
    """

    amount: Decimal | None = None
    currency: str = ""
    day: date | None = None
    merchant: str = ""
    rate_source: str = ""
    rate_date: date | None = None


@dataclass(slots=True)
class ClaimLine:
    """A line of a claim: what it says, where the money goes, and its documentation.

    ``payer`` is an organisation slug, or ``None`` to split by fee fraction.
    ``computed`` is frozen at submit with the rate values used.
    """

    id: str
    body: Line
    payer: str | None = None
    type_code: str = ""
    remark: str = ""
    justification: str = ""
    no_receipt_reason: str = ""
    attachments: tuple[str, ...] = ()
    computed: LineResult | None = None
    read: ReceiptRead | None = None

    @property
    def corrected_from(self) -> Decimal | None:
        """The amount read off the receipt, if the claimant confirmed a different one."""
        if self.read is None or self.read.amount is None or not isinstance(self.body, Expense):
            return None
        return self.read.amount if self.read.amount != self.body.amount.amount else None

    def rate_note(self, typed: Text) -> Text | None:
        """``Kurs 11,513 (Norges Bank, 13.03.2026)`` for a foreign outlay, else None.

        ``typed`` names who gave a rate that was not fetched (the claimant: "oppgitt av
        deg" to them, "oppgitt av den reisende" to an approver).
        """
        if not isinstance(self.body, Expense) or self.body.amount.currency == NOK:
            return None
        rate = number_text(self.body.amount.nok_rate)
        read = self.read
        if read and read.rate_source and read.rate_date:
            source = Text(f"{read.rate_source}, {read.rate_date:%d.%m.%Y}",
                          f"{read.rate_source}, {read.rate_date:%d.%m.%Y}")
        else:
            source = typed
        return Text(f"Kurs {rate.nb} ({source.nb})", f"Rate {rate.en} ({source.en})")

    @property
    def is_fee(self) -> bool:
        """Fee and item lines set the fee fraction (*honorarbrøk*)."""
        return isinstance(self.body, ItemLine)

    @property
    def last_date(self) -> date:
        """The last day of what the line covers (the trip's return for per diem)."""
        if isinstance(self.body, PerDiem):
            return self.body.return_at.date()
        return self.body.date

    @property
    def kind(self) -> str:
        """``mileage``, ``per_diem``, ``expense`` or ``item``."""
        return line_kind(self.body)


def line_kind(body: Line) -> str:
    """The kind name used in JSON and the store."""
    if isinstance(body, MileageLeg):
        return "mileage"
    if isinstance(body, PerDiem):
        return "per_diem"
    if isinstance(body, Expense):
        return "expense"
    return "item"


ApprovalState = Literal["pending", "open", "approved", "returned", "closed"]


@dataclass(slots=True)
class Approval:
    """One stage of one payer in one round, and its decision."""

    round: int
    payer: str
    stage: int
    stage_name: str
    approvers: tuple[str, ...]
    state: ApprovalState = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass(slots=True)
class Claim:
    """One claim for reimbursement. ``version`` guards against lost updates."""

    id: str
    reference: str
    claimant_id: str
    payers: tuple[str, ...]
    title: str
    rate_set: str = "state"
    purpose: str = ""
    route: str = ""
    allocation: dict[str, str] = field(default_factory=dict)
    lines: list[ClaimLine] = field(default_factory=list)
    status: Status = Status.DRAFT
    round: int = 0
    approvals: list[Approval] = field(default_factory=list)
    events: list[ClaimEvent] = field(default_factory=list)
    new_events: list[ClaimEvent] = field(default_factory=list)
    returned_by: str | None = None
    submitted_at: datetime | None = None
    version: int = 0
    # log entries stored before ``events`` that were not read: a claim read only to decide
    # on it (``ClaimRepository.for_decision``) has its lines and earlier log left unread
    earlier_events: int = 0

    def log(self, event: ClaimEvent) -> None:
        """Append to the log and to the events still to be delivered."""
        self.events.append(event)
        self.new_events.append(event)

    def check_editable(self) -> None:
        """Raise unless lines may change (Draft or Returned)."""
        if self.status in (Status.APPROVED, Status.PAID):
            raise ClaimLocked()
        if self.status is Status.AWAITING:
            raise ClaimNotEditable()

    def line(self, line_id: str) -> ClaimLine:
        """The line with this id."""
        for line in self.lines:
            if line.id == line_id:
                return line
        raise NotFound(Text("Fant ikke linjen.", "Line not found."))

    def add_line(self, line: ClaimLine, actor: Actor, at: datetime) -> None:
        """Add a line to a draft or returned claim."""
        self.check_editable()
        self.lines.append(line)
        self.log(LineAdded(at, actor, line.kind, round=self.round))

    def change_line(self, line: ClaimLine, actor: Actor, at: datetime) -> None:
        """Replace the line with the same id."""
        self.check_editable()
        index = self.lines.index(self.line(line.id))
        self.lines[index] = replace(line, computed=None)
        self.log(LineChanged(at, actor, line.kind, round=self.round))

    def remove_line(self, line_id: str, actor: Actor, at: datetime) -> None:
        """Remove a line (the log keeps that it was there)."""
        self.check_editable()
        line = self.line(line_id)
        self.lines.remove(line)
        self.log(LineRemoved(at, actor, line.kind, round=self.round))

    def round_approvals(self) -> list[Approval]:
        """The approvals of the current round."""
        return [a for a in self.approvals if a.round == self.round]

    def approval(self, payer: str, stage: int, round_: int) -> Approval | None:
        """The approval of ``payer``'s ``stage`` in ``round_``, if it exists."""
        return next((a for a in self.approvals
                     if a.payer == payer and a.stage == stage and a.round == round_), None)
