"""What happened to a claim: one frozen class per kind of entry in its log.

Every entry has the same fields (who, through which channel, when, the source
message, and the payer/stage/round it concerns), because the log is one table
and one list a person reads; the class says what happened. Consumers dispatch on
the class (``isinstance`` or a table keyed by it), never on a string. ``kind`` is
the wire name the store has always written, read back through ``EVENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from domain.text import Text
from domain.wire import Kinds

Channel = Literal["telegram", "email", "cli", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something, and through which channel."""

    kind: Literal["claimant", "approver", "admin", "system"]
    id: str
    channel: Channel


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """One entry of a claim's log; ``text`` is the entry's detail (reason, comment, name)."""

    kind: ClassVar[str]
    at: datetime
    actor: Actor
    text: str = ""
    payer: str | None = None
    stage: int | None = None
    round: int = 0
    source_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Created(ClaimEvent):
    """A draft was started; ``text`` is its title."""

    kind: ClassVar[str] = "created"


@dataclass(frozen=True, slots=True)
class LineAdded(ClaimEvent):
    """A line was added; ``text`` is the line's kind."""

    kind: ClassVar[str] = "line_added"


@dataclass(frozen=True, slots=True)
class LineChanged(ClaimEvent):
    """A line was changed; ``text`` is the line's kind."""

    kind: ClassVar[str] = "line_changed"


@dataclass(frozen=True, slots=True)
class LineRemoved(ClaimEvent):
    """A line was removed; ``text`` is the line's kind."""

    kind: ClassVar[str] = "line_removed"


@dataclass(frozen=True, slots=True)
class Submitted(ClaimEvent):
    """The claimant sent the claim in; ``text`` notes a late submission."""

    kind: ClassVar[str] = "submitted"


@dataclass(frozen=True, slots=True)
class StageOpened(ClaimEvent):
    """A payer's stage now waits for its approvers; ``text`` is the stage's name."""

    kind: ClassVar[str] = "stage_opened"


@dataclass(frozen=True, slots=True)
class StageApproved(ClaimEvent):
    """An approver approved one stage; ``text`` is the stage's name."""

    kind: ClassVar[str] = "approved"


@dataclass(frozen=True, slots=True)
class PayerApproved(ClaimEvent):
    """Every stage of one payer is approved; others still wait."""

    kind: ClassVar[str] = "payer_approved"


@dataclass(frozen=True, slots=True)
class ClaimApproved(ClaimEvent):
    """Every payer approved: the claim is locked and goes to payroll."""

    kind: ClassVar[str] = "claim_approved"


@dataclass(frozen=True, slots=True)
class Returned(ClaimEvent):
    """An approver sent the claim back; ``text`` is the reason."""

    kind: ClassVar[str] = "returned"


@dataclass(frozen=True, slots=True)
class Withdrawn(ClaimEvent):
    """The claimant pulled the claim back to draft (*angre innsending*)."""

    kind: ClassVar[str] = "withdrawn"


@dataclass(frozen=True, slots=True)
class Commented(ClaimEvent):
    """A remark between claimant and approvers; ``text`` is the remark."""

    kind: ClassVar[str] = "commented"


@dataclass(frozen=True, slots=True)
class Paid(ClaimEvent):
    """The claim was in a payroll export; ``text`` is the payroll date (ISO)."""

    kind: ClassVar[str] = "paid"


EVENTS: Kinds[ClaimEvent] = Kinds([
    Created, LineAdded, LineChanged, LineRemoved, Submitted, StageOpened, StageApproved,
    PayerApproved, ClaimApproved, Returned, Withdrawn, Commented, Paid])

# what each entry is called where a person reads a claim's log (chat, command line)
EVENT_TEXT: dict[type[ClaimEvent], Text] = {
    Created: Text("opprettet", "created"),
    LineAdded: Text("linje lagt til", "line added"),
    LineChanged: Text("linje endret", "line changed"),
    LineRemoved: Text("linje slettet", "line deleted"),
    Submitted: Text("sendt inn", "submitted"),
    StageOpened: Text("til godkjenning", "awaiting approval"),
    StageApproved: Text("godkjent", "approved"),
    Returned: Text("sendt i retur", "returned"),
    Withdrawn: Text("innsending angret", "withdrawn"),
    Commented: Text("kommentar", "comment"),
    PayerApproved: Text("godkjent av betaler", "approved by a payer"),
    ClaimApproved: Text("godkjent", "approved"),
    Paid: Text("utbetalt", "paid"),
}
