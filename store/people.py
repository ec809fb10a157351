"""Repositories for claimants, organisations, invites and reply keys."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.claimant import Claimant, Invite
from domain.errors import InviteInvalid
from domain.organisation import organisation_from_data
from service.ports import (
    BouncingAddress,
    DialogState,
    InboundFailure,
    InboundRecord,
    ReplyKey,
    StoredOrganisation,
)
from store import tables as t
from store.engine import dialect_insert
from store.joined import joined
from store.outbox import SqlOutbox, carrying
from store.versions import claims_stamp, organisation_versions

if TYPE_CHECKING:
    from store.claims import SqlClaims


def _claimant_by(column: Any) -> Any:
    """One statement: the claimant and its memberships joined (read on every dialog turn).

    Built once: building a statement and its cache key cost more than running it.
    """
    m = t.memberships.c
    orgs = joined(m.org, ",").label("orgs")
    return (select(t.claimants, orgs)
            .select_from(t.claimants.outerjoin(t.memberships, m.claimant_id == t.claimants.c.id))
            .where(column == bindparam("b_key")).group_by(t.claimants.c.id))


_CLAIMANT_BY_ID = _claimant_by(t.claimants.c.id)
_CLAIMANT_BY_TELEGRAM = _claimant_by(t.claimants.c.telegram_id)
_ORGANISATION = select(t.organisations).where(t.organisations.c.slug == bindparam("b_slug"))
_ORGANISATIONS = select(t.organisations).where(
    t.organisations.c.slug.in_(bindparam("b_slugs", expanding=True)))
# an approval reply's statements, built once (building cost more than running on SQLite)
_REPLY_KEY = select(t.reply_keys).where(t.reply_keys.c.key == bindparam("b_key"))
# the key last sent for one approval, on ix_reply_keys_approval (for EXPLAIN too)
KEY_FOR_APPROVAL = select(t.reply_keys).where(
    t.reply_keys.c.claim_id == bindparam("b_claim"), t.reply_keys.c.payer == bindparam("b_payer"),
    t.reply_keys.c.stage == bindparam("b_stage"), t.reply_keys.c.round == bindparam("b_round"),
    t.reply_keys.c.approver == bindparam("b_approver")).order_by(
    t.reply_keys.c.created_at.desc(), t.reply_keys.c.key.desc()).limit(1)
_OUTCOME = select(t.inbound_messages.c.outcome).where(
    t.inbound_messages.c.message_id == bindparam("b_id"))
_RECORD: dict[str, Any] = {}  # by dialect: INSERT … ON CONFLICT (message_id) DO NOTHING
_RECORDED = ("message_id", "received_at", "outcome", "detail", "claim_id")
# PostgreSQL's, writing the reply's notices too (``store.outbox.carrying``), by their number
_RECORD_CARRYING = carrying(dialect_insert("postgresql", t.inbound_messages).values(
    {c: bindparam(f"r_{c}", type_=t.inbound_messages.c[c].type) for c in _RECORDED}
).on_conflict_do_nothing(index_elements=[t.inbound_messages.c.message_id]))


def _dialog_touch(dialect: str) -> Any:
    """Create a chat's row if new and lock it, returning it: one statement per dialect."""
    built = _TOUCH.get(dialect)
    if built is None:
        table = t.dialog_states
        touch = dialect_insert(dialect, table).values(
            chat_id=bindparam("b_chat"), flow="", step="", data=bindparam("b_data"),
            updated_at=bindparam("b_at"))
        built = _TOUCH[dialect] = touch.on_conflict_do_update(
            index_elements=[table.c.chat_id], set_={"chat_id": touch.excluded.chat_id}
        ).returning(*table.c)
    return built


def _dialog_put(dialect: str) -> Any:
    """Create or replace a chat's row: one statement (an upsert) per dialect."""
    built = _PUT.get(dialect)
    if built is None:
        table = t.dialog_states
        put = dialect_insert(dialect, table).values(
            chat_id=bindparam("b_chat"), flow=bindparam("b_flow"), step=bindparam("b_step"),
            data=bindparam("b_data"), updated_at=bindparam("b_at"))
        built = _PUT[dialect] = put.on_conflict_do_update(
            index_elements=[table.c.chat_id],
            set_={c: put.excluded[c] for c in ("flow", "step", "data", "updated_at")})
    return built


def _dialog_open(dialect: str) -> Any:
    """The chat's row, the person's claimant and their organisations' versions, in one.

    Columns ``d_…`` (the dialog), ``p_…`` (the claimant), ``p_versions`` (for
    ``SqlOrganisations.known``): a turn then reads an organisation only when this process
    has not parsed that version of it, instead of once per turn; and ``p_claims``, their
    claims' stamp (``store.claims``: "Som sist" is read again only when it has changed).

    PostgreSQL: the row is created if new and locked (``_dialog_touch`` as a CTE), so two
    workers never run one chat's turns at once. SQLite: a plain read; the turn's
    ``BEGIN IMMEDIATE`` holds the whole database, and ``put`` creates the row.
    """
    built = _OPEN.get(dialect)
    if built is None:
        people, m, orgs = t.claimants, t.memberships.c, t.organisations
        if dialect == "postgresql":
            dialog: Any = _dialog_touch(dialect).cte("d")
            start: Any = dialog
        else:
            dialog = t.dialog_states
            start = select(literal_column("1").label("one")).subquery("one").outerjoin(
                dialog, dialog.c.chat_id == bindparam("b_chat"))
        built = _OPEN[dialect] = select(
            *(dialog.c[c.name].label(f"d_{c.name}") for c in t.dialog_states.c),
            *(c.label(f"p_{c.name}") for c in people.c),
            select(joined(m.org, ",")).where(
                m.claimant_id == people.c.id).scalar_subquery().label("p_orgs"),
            organisation_versions(t.memberships.join(orgs, orgs.c.slug == m.org),
                                  m.org, m.claimant_id == people.c.id).label("p_versions"),
            claims_stamp(people.c.id).label("p_claims"),
        ).select_from(start.outerjoin(people, people.c.telegram_id == bindparam("b_user")))
    return built


_TOUCH: dict[str, Any] = {}
_PUT: dict[str, Any] = {}
_OPEN: dict[str, Any] = {}


def claimant_from(row: Any, prefix: str = "") -> Claimant:
    """A claimant from its row (columns named ``prefix`` + column) and its ``orgs``."""
    orgs = row[f"{prefix}orgs"]
    return Claimant(row[f"{prefix}id"], row[f"{prefix}name"], row[f"{prefix}telegram_id"],
                    row[f"{prefix}email"], row[f"{prefix}bank_account"],
                    row[f"{prefix}national_id"], row[f"{prefix}language"],
                    set(orgs.split(",")) if orgs else set(),
                    dict(row[f"{prefix}allocation_defaults"]))


class SqlClaimants:
    """``ClaimantRepository`` on SQL; memberships in their own table.

    Within one unit of work a claimant is read once (a dialog turn reads the person by
    their Telegram id, then its steps by id, up to three times more); the row is kept,
    so every read returns a fresh ``Claimant``, and saving one forgets what was kept.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._rows: dict[str, Any] = {}  # by id
        self._telegram: dict[int, str] = {}  # Telegram id → claimant id

    async def _one(self, query: Any, key: Any) -> Claimant | None:
        row = (await self._conn.execute(query, {"b_key": key})).mappings().first()
        return None if row is None else self.seen(row)

    def seen(self, row: Any, prefix: str = "") -> Claimant:
        """A claimant read (columns ``prefix`` + column), kept for this unit of work."""
        self._rows[row[f"{prefix}id"]] = (row, prefix)
        if row[f"{prefix}telegram_id"] is not None:
            self._telegram[row[f"{prefix}telegram_id"]] = row[f"{prefix}id"]
        return claimant_from(row, prefix)

    async def get(self, claimant_id: str) -> Claimant | None:
        kept = self._rows.get(claimant_id)
        if kept is not None:
            return claimant_from(*kept)
        return await self._one(_CLAIMANT_BY_ID, claimant_id)

    async def by_telegram(self, telegram_id: int) -> Claimant | None:
        known = self._telegram.get(telegram_id)
        if known is not None:
            return await self.get(known)
        return await self._one(_CLAIMANT_BY_TELEGRAM, telegram_id)

    @staticmethod
    def _row(c: Claimant) -> dict[str, Any]:
        return {"name": c.name, "telegram_id": c.telegram_id, "email": c.email,
                "bank_account": c.bank_account, "national_id": c.national_id,
                "language": c.language, "allocation_defaults": c.allocation_defaults}

    async def add(self, claimant: Claimant) -> None:
        self._rows.clear()
        self._telegram.clear()
        await self._conn.execute(insert(t.claimants).values(id=claimant.id,
                                                            **self._row(claimant)))
        await self._memberships(claimant)

    async def save(self, claimant: Claimant) -> None:
        kept = self._rows.get(claimant.id)
        before = None if kept is None else claimant_from(*kept)
        self._rows.clear()
        self._telegram.clear()
        if before == claimant:  # as read in this transaction: nothing to write (a new
            return              # claim saves its claimant for the allocation defaults)
        await self._conn.execute(update(t.claimants).where(
            t.claimants.c.id == claimant.id).values(**self._row(claimant)))
        if before is None or before.memberships != claimant.memberships:
            await self._memberships(claimant)

    async def _memberships(self, claimant: Claimant) -> None:
        await self._conn.execute(delete(t.memberships).where(
            t.memberships.c.claimant_id == claimant.id))
        if claimant.memberships:
            await self._conn.execute(insert(t.memberships), [
                {"claimant_id": claimant.id, "org": org}
                for org in sorted(claimant.memberships)])


_PARSED: dict[str, StoredOrganisation] = {}  # by source hash: `org apply` changes the hash


class SqlOrganisations:
    """``OrganisationRepository``: kept as canonical JSON, parsed once per version.

    Parsing an organisation file (its rate sets included) was a fifth of the export's
    CPU when done per claim, and part of every dialog turn. Parsed organisations are
    kept in the process by the hash of their source, so a change by ``kvitt org apply``,
    from this process or another, is seen at the next read: a new hash, a new parse.
    Within one unit of work an organisation is read once (a dialog turn asks for the
    claim's payers two or three times); ``put`` forgets what was read. A statement that
    reads the versions (source hashes) of some organisations with something else (the
    claim an approver decides on) hands them to ``known``, and those this process has
    parsed are not read again.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._read: dict[str, StoredOrganisation | None] = {}

    @staticmethod
    def _stored(row: Any) -> StoredOrganisation:
        stored = _PARSED.get(row["source_hash"])
        if stored is None:
            if len(_PARSED) > 1024:  # old versions pile up only through many applies
                _PARSED.clear()
            stored = _PARSED[row["source_hash"]] = StoredOrganisation(
                organisation_from_data(json.loads(row["source"])), row["source"],
                row["source_hash"])
        return stored

    def known(self, versions: str | None) -> None:
        """Take organisations' versions read with something else (``slug=hash,…``).

        The text is ``organisation_versions``'s. Each one whose version this process has
        parsed is not read again in this unit of work; one changed by ``org apply`` has a
        new hash and is read and parsed anew.
        """
        for pair in versions.split(",") if versions else ():
            slug, source_hash = pair.split("=", 1)
            if slug not in self._read and (stored := _PARSED.get(source_hash)) is not None:
                self._read[slug] = stored

    async def get(self, slug: str) -> StoredOrganisation | None:
        if slug in self._read:
            return self._read[slug]
        row = (await self._conn.execute(_ORGANISATION, {"b_slug": slug})).mappings().first()
        found = self._read[slug] = None if row is None else self._stored(row)
        return found

    async def many(self, slugs: Sequence[str]) -> dict[str, StoredOrganisation | None]:
        missing = [slug for slug in slugs if slug not in self._read]
        if missing:
            rows = (await self._conn.execute(_ORGANISATIONS, {"b_slugs": missing})).mappings()
            self._read.update(dict.fromkeys(missing))
            self._read.update({row["slug"]: self._stored(row) for row in rows})
        return {slug: self._read[slug] for slug in slugs}

    async def put(self, stored: StoredOrganisation) -> None:
        self._read.pop(stored.organisation.slug, None)
        values = {"name": stored.organisation.name, "source": stored.source,
                  "source_hash": stored.source_hash, "updated_at": datetime.now(UTC)}
        result = await self._conn.execute(update(t.organisations).where(
            t.organisations.c.slug == stored.organisation.slug).values(**values))
        if result.rowcount == 0:
            await self._conn.execute(insert(t.organisations).values(
                slug=stored.organisation.slug, **values))

    async def all(self) -> Sequence[StoredOrganisation]:
        rows = (await self._conn.execute(
            select(t.organisations).order_by(t.organisations.c.slug))).mappings().all()
        return [self._stored(row) for row in rows]


class SqlInvites:
    """``InviteRepository`` on SQL."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, code: str) -> Invite | None:
        row = (await self._conn.execute(select(t.invites).where(
            t.invites.c.code == code))).mappings().first()
        if row is None:
            return None
        return Invite(row["code"], row["org"], row["created_at"], row["expires_at"],
                      row["max_uses"], row["uses"])

    async def add(self, invite: Invite) -> None:
        await self._conn.execute(insert(t.invites).values(
            code=invite.code, org=invite.org, created_at=invite.created_at,
            expires_at=invite.expires_at, max_uses=invite.max_uses, uses=invite.uses))

    async def save(self, invite: Invite) -> None:
        # spend one use only if nobody spent it meanwhile: a single-use invite joins once
        result = await self._conn.execute(update(t.invites).where(
            t.invites.c.code == invite.code, t.invites.c.uses == invite.uses - 1,
            t.invites.c.uses < t.invites.c.max_uses).values(uses=invite.uses))
        if result.rowcount != 1:
            raise InviteInvalid()


class SqlReplyKeys:
    """``ReplyKeyRepository`` on SQL.

    Given the unit of work's claims (``store.claims.SqlClaims``), a key is read with its
    claim as a decision reads it, in one statement: an approver's reply reads both.
    """

    def __init__(self, conn: AsyncConnection, claims: Any = None) -> None:
        self._conn = conn
        self._claims = claims

    async def add(self, key: ReplyKey) -> None:
        await self._conn.execute(insert(t.reply_keys).values(
            key=key.key, claim_id=key.claim_id, payer=key.payer, stage=key.stage,
            round=key.round, approver=key.approver, created_at=key.created_at))

    async def get(self, key: str) -> ReplyKey | None:
        if self._claims is not None:
            row = await self._claims.reply_key(key)
            return None if row is None else ReplyKey(
                row["k_key"], row["k_claim_id"], row["k_payer"], row["k_stage"],
                row["k_round"], row["k_approver"], row["k_created_at"])
        row = (await self._conn.execute(_REPLY_KEY, {"b_key": key})).mappings().first()
        if row is None:
            return None
        return _reply_key(row)

    async def for_approval(self, claim_id: str, payer: str, stage: int, round_: int,
                           approver: str) -> ReplyKey | None:
        row = (await self._conn.execute(KEY_FOR_APPROVAL, {
            "b_claim": claim_id, "b_payer": payer, "b_stage": stage, "b_round": round_,
            "b_approver": approver})).mappings().first()
        return None if row is None else _reply_key(row)


def _reply_key(row: Any) -> ReplyKey:
    return ReplyKey(row["key"], row["claim_id"], row["payer"], row["stage"], row["round"],
                    row["approver"], row["created_at"])


class SqlAttachments:
    """``AttachmentRepository`` on SQL."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, content_hash: str, mime: str, size: int, at: datetime) -> None:
        exists = (await self._conn.execute(select(t.attachments.c.hash).where(
            t.attachments.c.hash == content_hash))).first()
        if exists is None:
            await self._conn.execute(insert(t.attachments).values(
                hash=content_hash, mime=mime, size=size, created_at=at))

    async def mime(self, content_hash: str) -> str | None:
        found: str | None = (await self._conn.execute(select(t.attachments.c.mime).where(
            t.attachments.c.hash == content_hash))).scalar_one_or_none()
        return found


class SqlDialogs:
    """``DialogRepository`` on SQL."""

    def __init__(self, conn: AsyncConnection, claimants: SqlClaimants | None = None,
                 organisations: SqlOrganisations | None = None,
                 claims: SqlClaims | None = None) -> None:
        self._conn = conn
        self._claimants = claimants if claimants is not None else SqlClaimants(conn)
        self._organisations = organisations
        self._claims = claims

    async def open(self, chat_id: int, telegram_id: int
                   ) -> tuple[DialogState | None, Claimant | None]:
        row = (await self._conn.execute(_dialog_open(self._conn.dialect.name), {
            "b_chat": chat_id, "b_user": telegram_id, "b_data": {},
            "b_at": datetime.now(UTC)})).mappings().first()
        assert row is not None  # one row, whatever is stored
        claimant = None if row["p_id"] is None else self._claimants.seen(row, "p_")
        if self._organisations is not None:
            self._organisations.known(row["p_versions"])
        if self._claims is not None and claimant is not None:
            self._claims.stamped(claimant.id, row["p_claims"])
        if not (row["d_flow"] or row["d_step"] or row["d_data"]):
            return None, claimant  # never seen (on PostgreSQL a blank row is only the lock)
        return DialogState(row["d_chat_id"], row["d_flow"], row["d_step"],
                           dict(row["d_data"]), row["d_updated_at"]), claimant

    async def get(self, chat_id: int) -> DialogState | None:
        # one statement: create the row if new and lock it (an upsert locks the row it
        # touches, on PostgreSQL as FOR UPDATE would), so even a brand-new chat's first
        # turns are locked against each other; SQLite's write lock covers it there
        row = (await self._conn.execute(_dialog_touch(self._conn.dialect.name), {
            "b_chat": chat_id, "b_data": {}, "b_at": datetime.now(UTC)})).mappings().first()
        if row is None or not (row["flow"] or row["step"] or row["data"]):
            return None  # the port's "never seen": a blank row is only the lock
        return DialogState(row["chat_id"], row["flow"], row["step"], dict(row["data"]),
                           row["updated_at"])

    async def put(self, state: DialogState) -> None:
        await self._conn.execute(_dialog_put(self._conn.dialect.name), {
            "b_chat": state.chat_id, "b_flow": state.flow, "b_step": state.step,
            "b_data": state.data, "b_at": state.updated_at or datetime.now(UTC)})


class SqlInbound:
    """``InboundLog`` on SQL."""

    def __init__(self, conn: AsyncConnection, outbox: SqlOutbox | None = None) -> None:
        self._conn = conn
        self._outbox = outbox  # its queued notices ride on ``record`` (``SqlOutbox``)

    async def outcome(self, message_id: str) -> str | None:
        found: str | None = (await self._conn.execute(
            _OUTCOME, {"b_id": message_id[:998]})).scalar_one_or_none()
        return found

    async def record(self, message_id: str, at: datetime, outcome: str, detail: str,
                     claim_id: str | None) -> bool:
        dialect = self._conn.dialect.name
        statement = _RECORD.get(dialect)
        if statement is None:
            statement = _RECORD[dialect] = dialect_insert(
                dialect, t.inbound_messages).on_conflict_do_nothing(
                index_elements=[t.inbound_messages.c.message_id])
        values = {"message_id": message_id[:998], "received_at": at, "outcome": outcome,
                  "detail": detail, "claim_id": claim_id}
        n, notices = self._outbox.take() if self._outbox is not None else (0, {})
        if n:  # the reply's notices written in the same round trip
            statement = _RECORD_CARRYING[n]
            values = {f"r_{k}": v for k, v in values.items()} | notices
        result = await self._conn.execute(statement, values)
        return bool(result.rowcount == 1)

    async def mark_bouncing(self, address: str, at: datetime, detail: str) -> None:
        result = await self._conn.execute(update(t.bouncing_addresses).where(
            t.bouncing_addresses.c.address == address).values(detail=detail[:2000]))
        if result.rowcount == 0:
            await self._conn.execute(insert(t.bouncing_addresses).values(
                address=address, since=at, detail=detail[:2000]))

    async def issue_bounce_token(self, token: str, recipient: str, at: datetime) -> None:
        await self._conn.execute(insert(t.bounce_tokens).values(
            token=token, recipient=recipient[:320].lower(), issued_at=at))

    async def bounce_recipient(self, token: str) -> str | None:
        found: str | None = (await self._conn.execute(select(t.bounce_tokens.c.recipient).where(
            t.bounce_tokens.c.token == token[:64]))).scalar_one_or_none()
        return found

    async def failure(self, message_id: str) -> InboundFailure | None:
        row = (await self._conn.execute(select(t.inbound_failures).where(
            t.inbound_failures.c.message_id == message_id[:998]))).mappings().first()
        return None if row is None else InboundFailure(
            row["message_id"], row["attempts"], row["last_error"], row["retry_at"])

    async def waiting(self, now: datetime) -> Mapping[str, datetime]:
        f = t.inbound_failures.c
        rows = await self._conn.execute(select(f.message_id, f.retry_at).where(
            f.retry_at > now))
        return {row.message_id: row.retry_at for row in rows}

    async def record_failure(self, message_id: str, at: datetime, error: str,
                             retry_at: datetime) -> int:
        before = await self.failure(message_id)
        attempts = 1 if before is None else before.attempts + 1
        values = {"attempts": attempts, "last_error": error[:4000], "last_at": at,
                  "retry_at": retry_at}
        if before is None:
            await self._conn.execute(insert(t.inbound_failures).values(
                message_id=message_id[:998], **values))
        else:
            await self._conn.execute(update(t.inbound_failures).where(
                t.inbound_failures.c.message_id == message_id[:998]).values(**values))
        return attempts

    async def bouncing(self) -> Sequence[BouncingAddress]:
        rows = (await self._conn.execute(select(t.bouncing_addresses).order_by(
            t.bouncing_addresses.c.address))).mappings().all()
        return [BouncingAddress(r["address"], r["since"], r["detail"]) for r in rows]

    async def recorded(self, since: datetime, outcomes: Sequence[str]
                       ) -> Sequence[InboundRecord]:
        m, f = t.inbound_messages, t.inbound_failures
        rows = (await self._conn.execute(
            select(m, f.c.attempts).outerjoin(f, f.c.message_id == m.c.message_id)
            .where(m.c.received_at >= since, m.c.outcome.in_(list(outcomes)))
            .order_by(m.c.received_at, m.c.id))).mappings().all()
        return [InboundRecord(r["message_id"], r["received_at"], r["outcome"], r["detail"],
                              r["claim_id"], r["attempts"] or 0) for r in rows]
