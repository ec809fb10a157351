"""The claim repository: a claim and its lines, approvals and log, saved as one.

Saving checks the optimistic version: ``UPDATE … WHERE version = :seen``. If no
row matches, someone saved first and ``ChangedMeanwhile`` is raised, so a
decision is never lost by being overwritten. Saving writes only what changed since
the claim was loaded: the lines and approvals whose rows differ, and the events
appended (the log is append-only), so adding a line to a long claim costs the same
statements as adding one to a short one. When a round starts (submit), the figures
the reports sum (``service.figures``) are written beside the claim.

Several claims are loaded with one query per table, whatever their number. Within one
unit of work a claim read by id is read from the database once: a dialog turn asks for
the open claim in several places (the step's prompt, the payer's buttons, the preview),
and each ask used to cost four statements. The rows are kept, not the object, so every
``get`` returns a fresh ``Claim`` (a change made and then refused is never seen by the
next reader), and saving the claim forgets its rows.

An approver's decision reads less (``for_decision``): the claim's row with the length of
its log, its approvals and its claimant, in one statement, not the lines and the log
(five statements with the claimant's, and most of the decoding). Saved, such a claim
writes its row (the columns worked out from lines or log it did not read are kept as
stored), the approvals that changed and the new events, numbered after the stored ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Table, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.claim import Actor, Approval, Claim, ClaimEvent, ClaimLine, ReceiptRead, Status
from domain.claimant import Claimant
from domain.codec import line_from_dict, line_to_dict, result_from_dict, result_to_dict
from domain.errors import ChangedMeanwhile
from domain.events import EVENTS
from domain.rates import RateBook
from service.figures import approved_at, claim_figures, returned, stages_opened
from service.ports import ClaimHead
from store import tables as t
from store.engine import carried_by, carried_values, insert_for
from store.joined import joined
from store.people import SqlOrganisations, claimant_from
from store.types import CENT
from store.versions import organisation_versions

_Rows = tuple[Any, list[Any], list[Any], list[Any]]  # a claim's row, lines, approvals, log
# Built once: building a statement and its cache key cost more than running it on SQLite
_BY_ID = select(t.claims).where(t.claims.c.id == bindparam("b_id"))
_ORDERS = ((t.claim_lines, (t.claim_lines.c.position,)),
           (t.approvals, (t.approvals.c.round, t.approvals.c.payer, t.approvals.c.stage)),
           (t.claim_events, (t.claim_events.c.seq,)))
_CHILDREN = tuple(
    select(table).where(table.c.claim_id.in_(bindparam("b_ids", expanding=True)))
    .order_by(table.c.claim_id, *order) for table, order in _ORDERS)
# one claim's (the dialog's case): an expanding IN is compiled anew on every execution
_CHILDREN_OF = tuple(select(table).where(table.c.claim_id == bindparam("b_id"))
                     .order_by(*order) for table, order in _ORDERS)
# per database (engine): (claimant, what, …) -> (stamp, rows). Ids repeat between databases
# (the tests' are counted from 1 in each), so one database's rows must never answer another's
_BY_STAMP: WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[str, Any]]] = (
    WeakKeyDictionary())


_NEWEST = select(t.claims).where(t.claims.c.claimant_id == bindparam("b_claimant")).order_by(
    t.claims.c.reference.desc()).limit(bindparam("b_newest"))
# the claim's row, its log's length, its claimant with its memberships, its payers'
# versions (``SqlOrganisations.known``) and its approvals (a row each), in one statement
_DECISION_COLUMNS: tuple[Any, ...] = (
    t.claims, select(func.count()).select_from(t.claim_events).where(
        t.claim_events.c.claim_id == t.claims.c.id).scalar_subquery().label("logged"),
    *(c.label(f"p_{c.name}") for c in t.claimants.c),
    select(joined(t.memberships.c.org, ",")).where(
        t.memberships.c.claimant_id == t.claims.c.claimant_id).scalar_subquery().label(
        "p_orgs"),
    # one level deep, so it correlates to the claim (nested IN (…) lists every claim's)
    organisation_versions(t.claim_payers.join(
        t.organisations, t.organisations.c.slug == t.claim_payers.c.org), t.claim_payers.c.org,
        t.claim_payers.c.claim_id == t.claims.c.id).label("payer_versions"),
    *(c.label(f"a_{c.name}") for c in t.approvals.c))


def _decision_from(first: Any) -> Any:
    """``first`` joined flat to the claim's claimant and approvals.

    Flat: SQLite materialises a nested join, reading every claim.
    """
    return first.outerjoin(t.claimants, t.claimants.c.id == t.claims.c.claimant_id).outerjoin(
        t.approvals, t.approvals.c.claim_id == t.claims.c.id)


_DECISION_ORDER = (t.approvals.c.round, t.approvals.c.payer, t.approvals.c.stage)
_FOR_DECISION = select(*_DECISION_COLUMNS).select_from(_decision_from(t.claims)).where(
    t.claims.c.id == bindparam("b_id")).order_by(*_DECISION_ORDER)
# a reply key (its columns ``k_…``) and its claim as above: a reply reads both at once
_KEY_FOR_DECISION = select(
    *(c.label(f"k_{c.name}") for c in t.reply_keys.c), *_DECISION_COLUMNS).select_from(
    _decision_from(t.reply_keys.outerjoin(t.claims, t.claims.c.id == t.reply_keys.c.claim_id))
).where(t.reply_keys.c.key == bindparam("b_key")).order_by(*_DECISION_ORDER)
# worked out from the lines or the log: a claim read for a decision keeps the stored value,
# unless what it logged says anew (approved, returned, touched now). None of them goes
# back to None in a decision: only a resubmission clears a return
_KEPT = ("trip_end", "approved_at", "returned_at", "return_reason", "touched_at")
_CLAIM_COLUMNS = ("id", "reference", "claimant_id", "payers", "title", "rate_set", "purpose",
                  "route", "allocation", "status", "round", "returned_by", "submitted_at",
                  "approved_at", "returned_at", "return_reason", "trip_end", "touched_at")
_APPROVAL_KEY = ("claim_id", "round", "payer", "stage")
_SAVE_APPROVAL = update(t.approvals).where(
    *(t.approvals.c[c] == bindparam(f"b_{c}") for c in _APPROVAL_KEY)).values(
    {c.name: bindparam(f"v_{c.name}") for c in t.approvals.c if c.name != "id"})
_ADD_EVENTS = insert(t.claim_events)
_SAVE = update(t.claims).where(
    t.claims.c.id == bindparam("b_id"), t.claims.c.version == bindparam("b_version")
).values({**{c: bindparam(f"v_{c}") for c in _CLAIM_COLUMNS},
          "version": bindparam("v_version")})
# what a decision can change of the claim's row: a claim read for one writes only these
_DECIDED_COLUMNS = ("status", "round", "returned_by", "approved_at", "returned_at",
                    "return_reason", "touched_at")
_SAVE_DECIDED = update(t.claims).where(
    t.claims.c.id == bindparam("b_id"), t.claims.c.version == bindparam("b_version")
).values({**{c: bindparam(f"v_{c}") for c in _DECIDED_COLUMNS},
          "version": bindparam("v_version")})
# ``_SAVE_DECIDED`` writing n events too (``SqlClaims._logging``): PostgreSQL's, by n
_SAVE_DECIDED_LOGGING = carried_by(_SAVE_DECIDED, t.claim_events, tuple(
    c.name for c in t.claim_events.c if c.name != "id"), "e")
CHUNK = 500  # ids per IN (…): well under SQLite's and asyncpg's parameter limits


@dataclass(slots=True)
class _Seen:
    """What was loaded (or last saved) of a claim: the rows a save compares against."""

    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    approvals: dict[tuple[int, str, int], dict[str, Any]] = field(default_factory=dict)
    events: int = 0
    round: int = 0
    payers: tuple[str, ...] = ()
    stored: Any = None  # a claim read for a decision: its row as read (else None)
    opened: dict[tuple[int, str, int], Any] = field(default_factory=dict)  # and when
    # each of its approvals opened, as stored (the log that says so was not read)


class SqlClaims:
    """``ClaimRepository`` on SQL; remembers what it loaded of each claim."""

    def __init__(self, conn: AsyncConnection,
                 organisations: SqlOrganisations | None = None) -> None:
        self._conn = conn
        self._organisations = organisations  # told the payers' versions read with a claim
        self._seen: dict[str, _Seen] = {}
        self._rows: dict[str, _Rows] = {}  # read by id in this unit of work, unchanged
        self._newest: dict[tuple[str, int], list[tuple[Any, list[Any]]]] = {}
        self._for_decision: dict[str, Sequence[Any]] = {}  # read with a key, not yet used
        self._heads: dict[str, ClaimHead] = {}  # read (or saved) in this unit of work
        self._head_rows: dict[str, Any] = {}  # a head's row: ``get`` reads only the rest
        self._stamps: dict[str, str] = {}  # claimant -> claims_stamp, read with something else
        self._by_stamp = _BY_STAMP.setdefault(conn.sync_engine, {})
        self._wrote = False  # a claim written in this unit of work: keep no newest rows

    async def get(self, claim_id: str) -> Claim | None:
        kept = self._rows.get(claim_id)
        if kept is not None:
            return self._build(*kept)
        row = self._head_rows.pop(claim_id, None)
        if row is not None:
            return (await self._load([row], keep=True))[0]
        found = await self._many(_BY_ID, keep=True, params={"b_id": claim_id})
        return found[0] if found else None

    async def head(self, claim_id: str) -> ClaimHead | None:
        head = self._heads.get(claim_id)
        if head is not None:
            return head
        kept = self._rows.get(claim_id)
        row = kept[0] if kept is not None else (
            await self._conn.execute(_BY_ID, {"b_id": claim_id})).mappings().first()
        return None if row is None else self._head(row)

    async def reply_key(self, key: str) -> Any | None:
        """A reply key's row (columns ``k_…``), its claim read for a decision with it.

        That claim is ``for_decision``'s answer next (``SqlReplyKeys.get``: a reply needs
        both).
        """
        rows = (await self._conn.execute(_KEY_FOR_DECISION, {"b_key": key})).mappings().all()
        if not rows:
            return None
        if rows[0]["id"] is not None:
            self._for_decision[rows[0]["id"]] = rows
        return rows[0]

    async def for_decision(self, claim_id: str) -> tuple[Claim, Claimant | None] | None:
        rows: Sequence[Any] | None = self._for_decision.pop(claim_id, None)
        if rows is None:
            rows = (await self._conn.execute(_FOR_DECISION, {"b_id": claim_id})
                    ).mappings().all()
        if not rows:
            return None
        row = rows[0]
        if self._organisations is not None:
            self._organisations.known(row["payer_versions"])
        approvals = [{c.name: r[f"a_{c.name}"] for c in t.approvals.c}
                     for r in rows if r["a_id"] is not None]
        claim = _claim(row, [], [_approval(r) for r in approvals], [])
        claim.earlier_events = row["logged"]
        self._seen[claim.id] = _Seen(
            {}, {_key(a): _approval_row(claim.id, a, None) for a in claim.approvals}, 0,
            claim.round, claim.payers, stored=row,
            opened={(r["round"], r["payer"], r["stage"]): r["opened_at"] for r in approvals})
        return claim, None if row["p_id"] is None else claimant_from(row, "p_")

    async def by_reference(self, reference: str) -> Claim | None:
        found = await self._many(select(t.claims).where(t.claims.c.reference == reference))
        return found[0] if found else None

    async def _many(self, query: Any, *, keep: bool = False,
                    params: dict[str, Any] | None = None) -> list[Claim]:
        rows = (await self._conn.execute(query, params)).mappings().all()
        claims: list[Claim] = []
        for start in range(0, len(rows), CHUNK):
            claims += await self._load(rows[start:start + CHUNK], keep=keep)
        return claims

    async def _load(self, rows: Sequence[Any], *, keep: bool = False) -> list[Claim]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        children: dict[str, tuple[list[Any], list[Any], list[Any]]] = {
            i: ([], [], []) for i in ids}
        one = len(ids) == 1
        for slot, query in enumerate(_CHILDREN_OF if one else _CHILDREN):
            found = await self._conn.execute(query, {"b_id": ids[0]} if one else {"b_ids": ids})
            for row in found.mappings():
                children[row["claim_id"]][slot].append(row)
        claims = []
        for row in rows:
            lines, approvals, events = children[row["id"]]
            if keep:
                self._rows[row["id"]] = (row, lines, approvals, events)
            claims.append(self._build(row, lines, approvals, events))
        return claims

    def _build(self, row: Any, lines: list[Any], approvals: list[Any],
               events: list[Any]) -> Claim:
        """A claim from its rows; what it was loaded as is remembered for ``save``."""
        claim = _claim(row, [_line(r) for r in lines], [_approval(r) for r in approvals],
                       [_event(r) for r in events])
        self._seen[claim.id] = _Seen(
            {r["id"]: _line_row(claim.id, i, line)
             for i, (r, line) in enumerate(zip(lines, claim.lines, strict=True))},
            {_key(a): _approval_row(claim.id, a, None) for a in claim.approvals},
            len(claim.events), claim.round, claim.payers)
        return claim

    def _forget(self, claim: Claim) -> None:
        """What was read of ``claim`` in this unit of work, before it is written."""
        self._rows.pop(claim.id, None)
        self._head_rows.pop(claim.id, None)
        self._heads.pop(claim.id, None)
        self._for_decision.pop(claim.id, None)
        self._newest.clear()
        self._stamps.clear()
        self._wrote = True

    async def add(self, claim: Claim) -> None:
        self._forget(claim)
        await self._conn.execute(insert(t.claims).values(**_claim_row(claim),
                                                         version=claim.version))
        await self._conn.execute(insert(t.claim_payers), [
            {"claim_id": claim.id, "org": slug} for slug in claim.payers])
        self._seen[claim.id] = _Seen(payers=claim.payers)
        await self._write_children(claim)
        self._heads[claim.id] = ClaimHead.of(claim)

    async def save(self, claim: Claim) -> None:
        self._forget(claim)
        values = _claim_row(claim)
        stored = self._seen[claim.id].stored if claim.id in self._seen else None
        statement = _SAVE
        if stored is not None:  # read for a decision: what it did not read stays as it is
            values.update({c: stored[c] for c in _KEPT if values[c] is None})
            if changed := [c for c in _CLAIM_COLUMNS
                           if c not in _DECIDED_COLUMNS and values[c] != stored[c]]:
                raise ValueError(f"a claim read for a decision cannot change {changed}")
            statement, logged = self._logging(claim)
            values = {c: values[c] for c in _DECIDED_COLUMNS}
        else:
            logged = {}
        params = {f"v_{k}": v for k, v in values.items()} | logged
        result = await self._conn.execute(statement, {
            **params, "b_id": claim.id, "b_version": claim.version,
            "v_version": claim.version + 1})
        if result.rowcount != 1:
            raise ChangedMeanwhile()
        claim.version += 1
        await self._write_children(claim)
        self._heads[claim.id] = ClaimHead.of(claim)

    def _logging(self, claim: Claim) -> tuple[Any, dict[str, Any]]:
        """A decision's UPDATE, writing the claim's new events too (PostgreSQL); its values.

        A decision (an approver's reply) saves the claim's row, perhaps an approval, and
        an event or two. On PostgreSQL the events ride on the claim's UPDATE
        (``store.engine.carried_rows``): one round trip fewer a reply. The row count is
        still the UPDATE's, so a claim changed meanwhile is told as before and the whole
        unit of work rolled back; an event a concurrent writer logged first under the same
        ``seq`` is left to it (``DO NOTHING``), so the clash is ``ChangedMeanwhile``, not
        an integrity error. SQLite, with no round trip to save, writes the events in
        ``_write_children``.
        """
        seen = self._seen[claim.id]
        n = len(claim.events) - seen.events
        if self._conn.dialect.name != "postgresql" or n not in _SAVE_DECIDED_LOGGING:
            return _SAVE_DECIDED, {}
        rows = self._new_events(claim, seen)
        seen.events = len(claim.events)
        return _SAVE_DECIDED_LOGGING[n], carried_values("e", rows)

    @staticmethod
    def _new_events(claim: Claim, seen: _Seen) -> list[dict[str, Any]]:
        """The rows of the events logged since ``claim`` was read or last written."""
        return [_event_row(claim.id, seq, e)
                for seq, e in enumerate(claim.events[seen.events:],
                                        start=claim.earlier_events + seen.events)]

    async def _write_children(self, claim: Claim) -> None:
        seen = self._seen.setdefault(claim.id, _Seen())
        if seen.stored is not None and (claim.lines or claim.payers != seen.payers):
            raise ValueError("a claim read for a decision cannot change its lines or payers")
        if claim.payers != seen.payers:
            await self._conn.execute(delete(t.claim_payers).where(
                t.claim_payers.c.claim_id == claim.id))
            await self._conn.execute(insert(t.claim_payers), [
                {"claim_id": claim.id, "org": slug} for slug in claim.payers])
            seen.payers, seen.round = claim.payers, -1  # shares to write again
        lines = {line.id: _line_row(claim.id, i, line) for i, line in enumerate(claim.lines)}
        await self._sync(t.claim_lines, seen.lines, lines,
                         lambda table, key: (table.c.id == key,))
        opened = {**seen.opened, **dict(stages_opened(claim))}
        approvals = {_key(a): _approval_row(claim.id, a, opened.get(_key(a)))
                     for a in claim.approvals}
        await self._sync(t.approvals, seen.approvals, approvals, lambda table, key: (
            table.c.round == key[0], table.c.payer == key[1], table.c.stage == key[2]),
            ignore=("opened_at",), update_by=_SAVE_APPROVAL, keyed=_APPROVAL_KEY)
        seen.lines, seen.approvals = lines, approvals
        if len(claim.events) > seen.events:
            await self._conn.execute(_ADD_EVENTS, self._new_events(claim, seen))
        seen.events = len(claim.events)
        if claim.round != seen.round and claim.round > 0:
            await write_figures(self._conn, claim)
        seen.round = claim.round

    async def _sync(self, table: Table, before: dict[Any, dict[str, Any]],
                    after: dict[Any, dict[str, Any]], where: Any,
                    ignore: Iterable[str] = (), update_by: Any = None,
                    keyed: Sequence[str] = ()) -> None:
        """Make ``table``'s rows of one claim go from ``before`` to ``after``, by key.

        ``update_by``: the UPDATE built once, its row found by the ``keyed`` columns
        (``b_…``) and every column set (``v_…``).
        """
        claim_id = table.c.claim_id
        gone = [key for key in before if key not in after]
        for key in gone:
            await self._conn.execute(delete(table).where(
                claim_id == before[key]["claim_id"], *where(table, key)))
        added = [row for key, row in after.items() if key not in before]
        if added:
            await self._conn.execute(insert(table), added)
        skip = set(ignore)
        for key, row in after.items():
            old = before.get(key)
            if old is not None and any(old[c] != row[c] for c in row if c not in skip):
                if update_by is not None:
                    await self._conn.execute(update_by, {
                        **{f"b_{c}": row[c] for c in keyed},
                        **{f"v_{c}": v for c, v in row.items()}})
                    continue
                await self._conn.execute(update(table).where(
                    claim_id == row["claim_id"], *where(table, key)).values(**row))

    async def next_reference(self, year: int) -> str:
        # one atomic statement: two first claims of a year never collide on the insert
        first = insert_for(self._conn, t.reference_counters).values(year=year, last=1)
        counted = first.on_conflict_do_update(
            index_elements=[t.reference_counters.c.year],
            set_={"last": t.reference_counters.c.last + 1}).returning(
            t.reference_counters.c.last)
        number = (await self._conn.execute(counted)).scalar_one()
        return f"K-{year}-{number:06d}"

    async def _where(self, *conditions: Any, limit: int | None = None) -> Sequence[Claim]:
        return await self._many(select(t.claims).where(*conditions)
                                .order_by(t.claims.c.reference.desc()).limit(limit))

    async def for_claimant(self, claimant_id: str, *, newest: int | None = None,
                           statuses: Sequence[Status] = ()) -> Sequence[Claim]:
        return await self._where(t.claims.c.claimant_id == claimant_id, *(
            [t.claims.c.status.in_([s.value for s in statuses])] if statuses else []),
            limit=newest)

    async def heads_for_claimant(self, claimant_id: str, *, newest: int | None = None,
                                 statuses: Sequence[Status] = ()) -> Sequence[ClaimHead]:
        key = (claimant_id, "heads", newest, tuple(statuses))
        rows = self._kept(key)
        if rows is None:
            c = t.claims.c
            query = select(t.claims).where(c.claimant_id == claimant_id, *(
                [c.status.in_([s.value for s in statuses])] if statuses else [])).order_by(
                c.reference.desc()).limit(newest)
            rows = self._keep(key, (await self._conn.execute(query)).mappings().all())
        return [self._head(row) for row in rows]

    def _kept(self, key: tuple[Any, ...]) -> Any:
        """What was read for ``key`` (its first item the claimant) at their current stamp."""
        stamp = self._stamps.get(key[0])
        kept = self._by_stamp.get(key)
        return kept[1] if stamp is not None and kept and kept[0] == stamp else None

    def _keep(self, key: tuple[Any, ...], rows: Any) -> Any:
        """Keep ``rows`` in the process under the claimant's stamp, when it is safe.

        That is when this unit of work has the stamp and has written no claim (it may yet
        roll back).
        """
        stamp = self._stamps.get(key[0])
        if stamp is not None and not self._wrote:
            if len(self._by_stamp) > 8192:  # a whole region's active claimants fit
                self._by_stamp.clear()
            self._by_stamp[key] = (stamp, rows)
        return rows

    def _head(self, row: Any) -> ClaimHead:
        """The head of a claim's row, kept for this unit of work (``head``)."""
        head = self._heads[row["id"]] = ClaimHead(
            row["id"], row["reference"], row["claimant_id"], tuple(row["payers"]),
            row["title"], row["rate_set"], Status(row["status"]))
        if row["id"] not in self._rows:
            self._head_rows[row["id"]] = row
        return head

    def stamped(self, claimant_id: str, stamp: str | None) -> None:
        """Take the claimant's ``claims_stamp``, read with something else (the dialog's row)."""
        if stamp is not None and not self._wrote:
            self._stamps[claimant_id] = stamp

    async def newest_lines(self, claimant_id: str, newest: int) -> Sequence[Claim]:
        # two statements (not four): "Som sist" reads lines only; kept for the unit of
        # work, since one turn may ask twice (the payers' buttons and what they fill in),
        # and in the process by the claims' stamp (the module's docstring)
        key = (claimant_id, newest)
        if key not in self._newest and (kept := self._kept((claimant_id, "newest", newest))):
            self._newest[key] = kept
        if key not in self._newest:
            rows = (await self._conn.execute(_NEWEST, {"b_claimant": claimant_id,
                                                       "b_newest": newest})).mappings().all()
            lines: dict[str, list[Any]] = {row["id"]: [] for row in rows}
            if rows:
                found = await self._conn.execute(_CHILDREN[0], {"b_ids": list(lines)})
                for line in found.mappings():
                    lines[line["claim_id"]].append(line)
            self._newest[key] = self._keep((claimant_id, "newest", newest),
                                           [(row, lines[row["id"]]) for row in rows])
        return [_claim(row, [_line(r) for r in found], [], [])
                for row, found in self._newest[key]]

    async def for_payer(self, slug: str) -> Sequence[Claim]:
        return await self._where(t.claims.c.id.in_(select(t.claim_payers.c.claim_id).where(
            t.claim_payers.c.org == slug)))

    async def awaiting(self, approver: str) -> Sequence[Claim]:
        a = t.approvals
        return await self._where(t.claims.c.id.in_(select(a.c.claim_id).where(
            a.c.state == "open", a.c.approver_list.contains(f",{approver},",
                                                            autoescape=True))))

    async def in_status(self, statuses: Sequence[Status],
                        payer: str | None = None) -> Sequence[Claim]:
        conditions = [t.claims.c.status.in_([s.value for s in statuses])]
        if payer is not None:
            conditions.append(t.claims.c.id.in_(select(t.claim_payers.c.claim_id).where(
                t.claim_payers.c.org == payer)))
        return await self._where(*conditions)

    async def untouched(self, statuses: Sequence[Status], before: datetime
                        ) -> Sequence[Claim]:
        c = t.claims.c
        return await self._where(c.status.in_([s.value for s in statuses]),
                                 c.touched_at <= before)

    async def trip_ended_in(self, statuses: Sequence[Status],
                            spans: Sequence[tuple[date, date]]) -> Sequence[Claim]:
        if not spans:
            return []
        c = t.claims.c
        return await self._where(c.status.in_([s.value for s in statuses]),
                                 or_(*(c.trip_end.between(a, b) for a, b in spans)))

    async def waiting_since(self, before: datetime) -> Sequence[Claim]:
        a, c = t.approvals.c, t.claims.c
        opened = func.coalesce(a.opened_at, c.submitted_at)
        return await self._where(c.status == Status.AWAITING.value, exists().where(
            a.claim_id == c.id, a.round == c.round, a.state == "open", opened < before))


async def write_figures(conn: AsyncConnection, claim: Claim) -> None:
    """Write the claim's figures for its current round (``service.figures``)."""
    for statement, params in figure_statements(claim):
        await conn.execute(statement, params)


def _claim(row: Any, lines: list[ClaimLine], approvals: list[Approval],
           events: list[ClaimEvent]) -> Claim:
    return Claim(
        id=row["id"], reference=row["reference"], claimant_id=row["claimant_id"],
        payers=tuple(row["payers"]), title=row["title"], rate_set=row["rate_set"],
        purpose=row["purpose"], route=row["route"], allocation=dict(row["allocation"]),
        lines=lines, status=Status(row["status"]), round=row["round"], approvals=approvals,
        events=events, returned_by=row["returned_by"], submitted_at=row["submitted_at"],
        version=row["version"])


def figure_statements(claim: Claim, book: RateBook | None = None) -> list[tuple[Any, Any]]:
    """The statements that write a claim's figures (the migration passes a ``book`` too)."""
    figures = claim_figures(claim, book)
    statements: list[tuple[Any, Any]] = [
        (delete(t.claim_income).where(t.claim_income.c.claim_id == claim.id), None),
        (update(t.claim_payers).where(
            t.claim_payers.c.claim_id == bindparam("b_claim"),
            t.claim_payers.c.org == bindparam("b_org")).values(
            amount=bindparam("b_amount"), taxfree=bindparam("b_taxfree")),
         [{"b_claim": claim.id, "b_org": slug, "b_amount": s.amount, "b_taxfree": s.taxfree}
          for slug, s in figures.shares.items()])]
    if figures.income:
        statements.append((insert(t.claim_income), [
            {"claim_id": claim.id, "payer": r.payer, "code": r.code, "item_type": r.item_type,
             "count": r.count.quantize(CENT, ROUND_HALF_UP), "taxfree": r.taxfree,
             "taxable": r.taxable} for r in figures.income]))
    return statements


def _key(a: Approval) -> tuple[int, str, int]:
    return a.round, a.payer, a.stage


def _claim_row(claim: Claim) -> dict[str, Any]:
    back = returned(claim)
    return {"id": claim.id, "reference": claim.reference, "claimant_id": claim.claimant_id,
            "payers": list(claim.payers), "title": claim.title, "rate_set": claim.rate_set,
            "purpose": claim.purpose, "route": claim.route, "allocation": claim.allocation,
            "status": claim.status.value, "round": claim.round,
            "returned_by": claim.returned_by, "submitted_at": claim.submitted_at,
            "approved_at": approved_at(claim), "returned_at": back.at if back else None,
            "return_reason": back.text if back else None,
            "trip_end": max((line.last_date for line in claim.lines), default=None),
            "touched_at": claim.events[-1].at if claim.events else None}


def _line_row(claim_id: str, position: int, line: ClaimLine) -> dict[str, Any]:
    return {"id": line.id, "claim_id": claim_id, "position": position, "kind": line.kind,
            "body": line_to_dict(line.body), "payer": line.payer, "type_code": line.type_code,
            "remark": line.remark, "justification": line.justification,
            "no_receipt_reason": line.no_receipt_reason,
            "attachments": list(line.attachments),
            "computed": None if line.computed is None else result_to_dict(line.computed),
            "reading": None if line.read is None else _read_row(line.read)}


def _read_row(read: ReceiptRead) -> dict[str, str | None]:
    return {"amount": None if read.amount is None else str(read.amount),
            "currency": read.currency, "day": read.day.isoformat() if read.day else None,
            "merchant": read.merchant, "rate_source": read.rate_source,
            "rate_date": read.rate_date.isoformat() if read.rate_date else None}


def _read(row: dict[str, Any] | None) -> ReceiptRead | None:
    if row is None:
        return None

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None
    return ReceiptRead(None if row["amount"] is None else Decimal(row["amount"]),
                       row["currency"], day(row["day"]), row["merchant"], row["rate_source"],
                       day(row["rate_date"]))


def _line(row: Any) -> ClaimLine:
    return ClaimLine(
        id=row["id"], body=line_from_dict(row["body"]), payer=row["payer"],
        type_code=row["type_code"], remark=row["remark"], justification=row["justification"],
        no_receipt_reason=row["no_receipt_reason"], attachments=tuple(row["attachments"]),
        computed=None if row["computed"] is None else result_from_dict(row["computed"]),
        read=_read(row["reading"]))


def _approval_row(claim_id: str, a: Approval, opened: Any) -> dict[str, Any]:
    return {"claim_id": claim_id, "round": a.round, "payer": a.payer, "stage": a.stage,
            "stage_name": a.stage_name, "approvers": list(a.approvers), "state": a.state,
            "decided_by": a.decided_by, "decided_at": a.decided_at, "opened_at": opened,
            "approver_list": f",{','.join(a.approvers)},"}


def _approval(row: Any) -> Approval:
    return Approval(row["round"], row["payer"], row["stage"], row["stage_name"],
                    tuple(row["approvers"]), row["state"], row["decided_by"], row["decided_at"])


def _event_row(claim_id: str, seq: int, e: ClaimEvent) -> dict[str, Any]:
    return {"claim_id": claim_id, "seq": seq, "kind": e.kind, "at": e.at,
            "actor_kind": e.actor.kind, "actor_id": e.actor.id, "channel": e.actor.channel,
            "text": e.text, "payer": e.payer, "stage": e.stage, "round": e.round,
            "source_message_id": e.source_message_id}


def _event(row: Any) -> ClaimEvent:
    return EVENTS.of(row["kind"])(
        row["at"], Actor(row["actor_kind"], row["actor_id"], row["channel"]), row["text"],
        row["payer"], row["stage"], row["round"], row["source_message_id"])
