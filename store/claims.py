"""The claim repository: a claim and its lines, approvals and log, saved as one.

Saving checks the optimistic version: ``UPDATE … WHERE version = :seen``. If no
row matches, someone saved first and ``ChangedMeanwhile`` is raised, so a
decision is never lost by being overwritten. The log is append-only: only
events added since the claim was loaded are inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.claim import Actor, Approval, Claim, ClaimEvent, ClaimLine, Status
from domain.codec import line_from_dict, line_to_dict, result_from_dict, result_to_dict
from domain.errors import ChangedMeanwhile
from store import tables as t


class SqlClaims:
    """``ClaimRepository`` on SQL; remembers how much of each log it loaded."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._loaded_events: dict[str, int] = {}

    async def get(self, claim_id: str) -> Claim | None:
        row = (await self._conn.execute(
            select(t.claims).where(t.claims.c.id == claim_id))).mappings().first()
        return None if row is None else await self._load(row)

    async def by_reference(self, reference: str) -> Claim | None:
        row = (await self._conn.execute(
            select(t.claims).where(t.claims.c.reference == reference))).mappings().first()
        return None if row is None else await self._load(row)

    async def _load(self, row: Any) -> Claim:
        claim_id = row["id"]
        lines = (await self._conn.execute(select(t.claim_lines).where(
            t.claim_lines.c.claim_id == claim_id).order_by(t.claim_lines.c.position))).mappings()
        approvals = (await self._conn.execute(select(t.approvals).where(
            t.approvals.c.claim_id == claim_id).order_by(
            t.approvals.c.round, t.approvals.c.payer, t.approvals.c.stage))).mappings()
        events = (await self._conn.execute(select(t.claim_events).where(
            t.claim_events.c.claim_id == claim_id).order_by(t.claim_events.c.seq))).mappings()
        claim = Claim(
            id=claim_id, reference=row["reference"], claimant_id=row["claimant_id"],
            payers=tuple(row["payers"]), title=row["title"], rate_set=row["rate_set"],
            purpose=row["purpose"], route=row["route"], allocation=dict(row["allocation"]),
            lines=[_line(r) for r in lines], status=Status(row["status"]), round=row["round"],
            approvals=[_approval(r) for r in approvals], events=[_event(r) for r in events],
            returned_by=row["returned_by"], submitted_at=row["submitted_at"],
            version=row["version"])
        self._loaded_events[claim_id] = len(claim.events)
        return claim

    async def add(self, claim: Claim) -> None:
        await self._conn.execute(insert(t.claims).values(**_claim_row(claim),
                                                         version=claim.version))
        await self._conn.execute(insert(t.claim_payers), [
            {"claim_id": claim.id, "org": slug} for slug in claim.payers])
        self._loaded_events[claim.id] = 0
        await self._write_children(claim)

    async def save(self, claim: Claim) -> None:
        result = await self._conn.execute(
            update(t.claims)
            .where(t.claims.c.id == claim.id, t.claims.c.version == claim.version)
            .values(**_claim_row(claim), version=claim.version + 1))
        if result.rowcount != 1:
            raise ChangedMeanwhile()
        claim.version += 1
        for table in (t.claim_lines, t.approvals):
            await self._conn.execute(delete(table).where(table.c.claim_id == claim.id))
        await self._write_children(claim)

    async def _write_children(self, claim: Claim) -> None:
        if claim.lines:
            await self._conn.execute(insert(t.claim_lines), [
                _line_row(claim.id, i, line) for i, line in enumerate(claim.lines)])
        if claim.approvals:
            await self._conn.execute(insert(t.approvals), [
                _approval_row(claim.id, a) for a in claim.approvals])
        start = self._loaded_events.get(claim.id, 0)
        if len(claim.events) > start:
            await self._conn.execute(insert(t.claim_events), [
                _event_row(claim.id, seq, e)
                for seq, e in enumerate(claim.events[start:], start=start)])
        self._loaded_events[claim.id] = len(claim.events)

    async def next_reference(self, year: int) -> str:
        # one atomic statement: two first claims of a year never collide on the insert
        dialect_insert = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        first = dialect_insert(t.reference_counters).values(year=year, last=1)
        counted = first.on_conflict_do_update(
            index_elements=[t.reference_counters.c.year],
            set_={"last": t.reference_counters.c.last + 1}).returning(
            t.reference_counters.c.last)
        number = (await self._conn.execute(counted)).scalar_one()
        return f"K-{year}-{number:06d}"

    async def _many(self, ids: Any) -> Sequence[Claim]:
        rows = (await self._conn.execute(
            select(t.claims).where(t.claims.c.id.in_(ids))
            .order_by(t.claims.c.reference.desc()))).mappings().all()
        return [await self._load(row) for row in rows]

    async def for_claimant(self, claimant_id: str) -> Sequence[Claim]:
        return await self._many(select(t.claims.c.id).where(
            t.claims.c.claimant_id == claimant_id).scalar_subquery())

    async def for_payer(self, slug: str) -> Sequence[Claim]:
        return await self._many(select(t.claim_payers.c.claim_id).where(
            t.claim_payers.c.org == slug).scalar_subquery())

    async def awaiting(self, approver: str) -> Sequence[Claim]:
        rows = (await self._conn.execute(select(t.approvals.c.claim_id, t.approvals.c.approvers)
                                         .where(t.approvals.c.state == "open"))).all()
        ids = sorted({claim_id for claim_id, approvers in rows if approver in approvers})
        return await self._many(ids) if ids else []

    async def in_status(self, statuses: Sequence[Status],
                        payer: str | None = None) -> Sequence[Claim]:
        query = select(t.claims.c.id).where(t.claims.c.status.in_([s.value for s in statuses]))
        if payer is not None:
            query = query.where(t.claims.c.id.in_(select(t.claim_payers.c.claim_id).where(
                t.claim_payers.c.org == payer)))
        return await self._many(query.scalar_subquery())

    async def approved_between(self, payer: str, start: datetime,
                               end: datetime) -> Sequence[Claim]:
        events, payers = t.claim_events, t.claim_payers
        return await self._many(
            select(events.c.claim_id)
            .join(payers, payers.c.claim_id == events.c.claim_id)
            .where(events.c.kind == "claim_approved", events.c.at >= start, events.c.at < end,
                   payers.c.org == payer).scalar_subquery())


def _claim_row(claim: Claim) -> dict[str, Any]:
    return {"id": claim.id, "reference": claim.reference, "claimant_id": claim.claimant_id,
            "payers": list(claim.payers), "title": claim.title, "rate_set": claim.rate_set,
            "purpose": claim.purpose, "route": claim.route, "allocation": claim.allocation,
            "status": claim.status.value, "round": claim.round,
            "returned_by": claim.returned_by, "submitted_at": claim.submitted_at}


def _line_row(claim_id: str, position: int, line: ClaimLine) -> dict[str, Any]:
    return {"id": line.id, "claim_id": claim_id, "position": position, "kind": line.kind,
            "body": line_to_dict(line.body), "payer": line.payer, "type_code": line.type_code,
            "remark": line.remark, "justification": line.justification,
            "no_receipt_reason": line.no_receipt_reason,
            "attachments": list(line.attachments),
            "computed": None if line.computed is None else result_to_dict(line.computed)}


def _line(row: Any) -> ClaimLine:
    return ClaimLine(
        id=row["id"], body=line_from_dict(row["body"]), payer=row["payer"],
        type_code=row["type_code"], remark=row["remark"], justification=row["justification"],
        no_receipt_reason=row["no_receipt_reason"], attachments=tuple(row["attachments"]),
        computed=None if row["computed"] is None else result_from_dict(row["computed"]))


def _approval_row(claim_id: str, a: Approval) -> dict[str, Any]:
    return {"claim_id": claim_id, "round": a.round, "payer": a.payer, "stage": a.stage,
            "stage_name": a.stage_name, "approvers": list(a.approvers), "state": a.state,
            "decided_by": a.decided_by, "decided_at": a.decided_at}


def _approval(row: Any) -> Approval:
    return Approval(row["round"], row["payer"], row["stage"], row["stage_name"],
                    tuple(row["approvers"]), row["state"], row["decided_by"], row["decided_at"])


def _event_row(claim_id: str, seq: int, e: ClaimEvent) -> dict[str, Any]:
    return {"claim_id": claim_id, "seq": seq, "kind": e.kind, "at": e.at,
            "actor_kind": e.actor.kind, "actor_id": e.actor.id, "channel": e.actor.channel,
            "text": e.text, "payer": e.payer, "stage": e.stage, "round": e.round,
            "source_message_id": e.source_message_id}


def _event(row: Any) -> ClaimEvent:
    return ClaimEvent(row["kind"], row["at"],
                      Actor(row["actor_kind"], row["actor_id"], row["channel"]), row["text"],
                      row["payer"], row["stage"], row["round"], row["source_message_id"])
