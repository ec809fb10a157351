"""The tables.

Claims are split into rows a query can use (status, payers, approvals) and JSON
for what is read only as a whole (a line's body, its frozen result). What the reports
sum is kept in columns written when a claim is decided (``service.figures``): each
payer's share (``claim_payers``), its income per A-melding code (``claim_income``), and
the claim's decision times, so the digest and the payroll export are aggregate queries.
Money and counts there are whole hundredths (``Hundredths``), exact in SQL sums.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from store.types import Hundredths, UTCDateTime

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

organisations = Table(
    "organisations", metadata,
    Column("slug", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("source", Text, nullable=False),
    Column("source_hash", String(64), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

claimants = Table(
    "claimants", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("telegram_id", BigInteger, unique=True),
    Column("email", String(320), nullable=False, default=""),
    Column("bank_account", String(11), nullable=False, default=""),
    Column("national_id", String(11), nullable=False, default=""),
    Column("language", String(2), nullable=False, default="nb"),
    Column("allocation_defaults", JSON, nullable=False),
)

memberships = Table(
    "memberships", metadata,
    Column("claimant_id", String(32), ForeignKey("claimants.id", ondelete="CASCADE"),
           primary_key=True),
    Column("org", String(64), ForeignKey("organisations.slug"), primary_key=True),
)

invites = Table(
    "invites", metadata,
    Column("code", String(64), primary_key=True),
    Column("org", String(64), ForeignKey("organisations.slug"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("max_uses", Integer, nullable=False),
    Column("uses", Integer, nullable=False),
)

reference_counters = Table(
    "reference_counters", metadata,
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

claims = Table(
    "claims", metadata,
    Column("id", String(32), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("claimant_id", String(32), ForeignKey("claimants.id"), nullable=False, index=True),
    Column("payers", JSON, nullable=False),
    Column("title", String(200), nullable=False),
    Column("rate_set", String(64), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("route", Text, nullable=False),
    Column("allocation", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("returned_by", String(64)),
    Column("submitted_at", UTCDateTime),
    Column("version", Integer, nullable=False),
    # decision times, for the reports (service.figures)
    Column("approved_at", UTCDateTime),
    Column("returned_at", UTCDateTime),
    Column("return_reason", Text),
    # for the reminders' queries (service.reminders): the last trip day, the last event
    Column("trip_end", Date),
    Column("touched_at", UTCDateTime),
    Index("ix_claims_approved_at", "approved_at"),
    Index("ix_claims_status_trip_end", "status", "trip_end"),
    Index("ix_claims_status_touched_at", "status", "touched_at"),
)

claim_payers = Table(
    "claim_payers", metadata,
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"),
           primary_key=True),
    Column("org", String(64), ForeignKey("organisations.slug"), primary_key=True),
    # this payer's share of the current round (NULL until the claim is submitted)
    Column("amount", Hundredths),
    Column("taxfree", Hundredths),
    Index("ix_claim_payers_org", "org"),
)

claim_income = Table(
    "claim_income", metadata,
    # one payer's income of one claim under one A-melding code (service.figures)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("payer", String(64), nullable=False),
    Column("code", String(100), nullable=False),
    Column("item_type", String(64)),
    Column("count", Hundredths, nullable=False),
    Column("taxfree", Hundredths, nullable=False),
    Column("taxable", Hundredths, nullable=False),
)

claim_lines = Table(
    "claim_lines", metadata,
    # a line's id is unique within its claim only (the front end names lines)
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"),
           primary_key=True),
    Column("id", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("body", JSON, nullable=False),
    Column("payer", String(64)),
    Column("type_code", String(64), nullable=False),
    Column("remark", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("no_receipt_reason", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("computed", JSON),
    Column("reading", JSON),  # what was read off the receipt (domain.claim.ReceiptRead)
)

approvals = Table(
    "approvals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("payer", String(64), nullable=False),
    Column("stage", Integer, nullable=False),
    Column("stage_name", String(64), nullable=False),
    Column("approvers", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("decided_by", String(320)),
    Column("decided_at", UTCDateTime),
    Column("opened_at", UTCDateTime),
    # the approvers as ",a@x.no,b@y.no," so `awaiting(approver)` is one LIKE query
    Column("approver_list", Text, nullable=False, server_default=""),
    UniqueConstraint("claim_id", "round", "payer", "stage", name="uq_approvals_stage"),
    Index("ix_approvals_state", "state"),
    Index("ix_approvals_state_opened_at", "state", "opened_at"),
)

claim_events = Table(
    "claim_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # read by claim through uq_claim_events_seq (claim_id, seq): no index of its own (0010)
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(320), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("payer", String(64)),
    Column("stage", Integer),
    Column("round", Integer, nullable=False),
    Column("source_message_id", String(998)),
    UniqueConstraint("claim_id", "seq", name="uq_claim_events_seq"),
)

reply_keys = Table(
    "reply_keys", metadata,
    Column("key", String(64), primary_key=True),
    Column("claim_id", String(32), ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("payer", String(64), nullable=False),
    Column("stage", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("approver", String(320), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # the key sent for one approval (reminders), and a claim's keys when it is erased
    Index("ix_reply_keys_approval", "claim_id", "payer", "stage", "round"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("dedupe_key", String(400), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_try_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index("ix_outbox_due", "status", "next_try_at"),
)

inbound_messages = Table(
    "inbound_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(998), nullable=False, unique=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("claim_id", String(32)),
)

dialog_states = Table(
    "dialog_states", metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("flow", String(32), nullable=False),
    Column("step", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

attachments = Table(
    "attachments", metadata,
    Column("hash", String(64), primary_key=True),
    Column("mime", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# a message whose handling failed as OUR error: tried again after ``retry_at``, at most a few
# times, then filed to the Failed mailbox (its outcome then recorded as "failed")
inbound_failures = Table(
    "inbound_failures", metadata,
    Column("message_id", String(998), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("retry_at", UTCDateTime, nullable=False),
)

# Exchange rates fetched from Norges Bank: one row per currency and asked-for day (a
# Sunday's row holds Friday's rate and says so in quoted_on). The rate is text, exact.
exchange_rates = Table(
    "exchange_rates", metadata,
    Column("currency", String(3), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("quoted_on", Date, nullable=False),
    Column("nok_per_unit", String(40), nullable=False),
    Column("source", String(64), nullable=False),
)

# VERP: each sent mail's envelope sender carries a token; only a bounce that arrives at a
# token we issued may mark that token's recipient as bouncing
bounce_tokens = Table(
    "bounce_tokens", metadata,
    Column("token", String(64), primary_key=True),
    Column("recipient", String(320), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
)

bouncing_addresses = Table(
    "bouncing_addresses", metadata,
    Column("address", String(320), primary_key=True),
    Column("since", UTCDateTime, nullable=False),
    Column("detail", Text, nullable=False),
)
