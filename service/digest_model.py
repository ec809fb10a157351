"""What an admin digest holds; gathered by ``digest``, rendered by ``digest_text``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.calc import Totals
from service.payroll import PayrollExport
from service.ports import BouncingAddress


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
    payroll: PayrollExport
    unpaid_earlier: tuple[str, ...]
    failures: tuple[Failure, ...]
    bouncing: tuple[BouncingAddress, ...]
