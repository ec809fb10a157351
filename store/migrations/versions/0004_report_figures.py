"""report figures: payers' shares, income per A-melding code, decision times

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:40:00

The digest and the payroll export read these columns instead of loading every claim.
Claims submitted before this revision get their figures here, from their frozen lines
(recomputed with the rates in force for lines frozen before income parts existed).
"""

import json
from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE, not batch mode: batch mode copies a table and drops the old one,
    # and with foreign keys on, dropping `claims` would cascade to every claim's lines
    op.add_column('claims', sa.Column('approved_at', sa.DateTime(), nullable=True))
    op.add_column('claims', sa.Column('returned_at', sa.DateTime(), nullable=True))
    op.add_column('claims', sa.Column('return_reason', sa.Text(), nullable=True))
    op.create_index('ix_claims_approved_at', 'claims', ['approved_at'], unique=False)
    op.add_column('claim_payers', sa.Column('amount', sa.BigInteger(), nullable=True))
    op.add_column('claim_payers', sa.Column('taxfree', sa.BigInteger(), nullable=True))
    op.add_column('approvals', sa.Column('opened_at', sa.DateTime(), nullable=True))
    op.add_column('approvals', sa.Column('approver_list', sa.Text(), server_default='',
                                         nullable=False))
    op.create_table('claim_income',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('payer', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('item_type', sa.String(length=64), nullable=True),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('taxfree', sa.BigInteger(), nullable=False),
    sa.Column('taxable', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_income_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_income'))
    )
    op.create_index(op.f('ix_claim_income_claim_id'), 'claim_income', ['claim_id'], unique=False)
    _fill(op.get_bind())


def _fill(conn: sa.Connection) -> None:
    """Figures and decision times of the claims already submitted."""
    from domain.claim import Claim, Status
    from domain.organisation import organisation_from_data
    from domain.rates import default_book
    from service.figures import approved_at, returned, stages_opened
    from store import tables as t
    from store.claims import _approval, _event, _line, figure_statements

    orgs = [organisation_from_data(json.loads(source))
            for source in conn.execute(sa.select(t.organisations.c.source)).scalars()]
    tables = [table for org in orgs for table in org.rate_tables]
    book = default_book().with_tables(tables) if tables else default_book()
    a = t.approvals
    inspector = sa.inspect(conn)

    def columns(table: Any) -> list[Any]:
        # the columns this revision's database has: later revisions may add more
        there = {c["name"] for c in inspector.get_columns(table.name)}
        return [c for c in table.c if c.name in there]

    def rows(query: Any) -> list[_Row]:
        return [_Row(r) for r in conn.execute(query).mappings().all()]

    for row in rows(sa.select(*columns(t.claims)).where(t.claims.c.round > 0)):
        def children(table: Any, *order: Any, claim_id: str = row["id"]) -> Any:
            return rows(sa.select(*columns(table)).where(table.c.claim_id == claim_id)
                        .order_by(*order))
        claim = Claim(
            id=row["id"], reference=row["reference"], claimant_id=row["claimant_id"],
            payers=tuple(row["payers"]), title=row["title"], rate_set=row["rate_set"],
            lines=[_line(r) for r in children(t.claim_lines, t.claim_lines.c.position)],
            status=Status(row["status"]), round=row["round"],
            approvals=[_approval(r) for r in children(a, a.c.round, a.c.payer, a.c.stage)],
            events=[_event(r) for r in children(t.claim_events, t.claim_events.c.seq)])
        back = returned(claim)
        conn.execute(sa.update(t.claims).where(t.claims.c.id == claim.id).values(
            approved_at=approved_at(claim), returned_at=back.at if back else None,
            return_reason=back.text if back else None))
        opened = dict(stages_opened(claim))
        for approval in claim.approvals:
            key = (approval.round, approval.payer, approval.stage)
            conn.execute(sa.update(a).where(
                a.c.claim_id == claim.id, a.c.round == key[0], a.c.payer == key[1],
                a.c.stage == key[2]).values(opened_at=opened.get(key),
                                            approver_list=f",{','.join(approval.approvers)},"))
        if all(line.computed is not None for line in claim.lines):
            for statement, params in figure_statements(claim, book):
                conn.execute(statement, params)


class _Row(dict[str, Any]):
    """A row of this revision's columns; a column added by a later revision reads None."""

    def __missing__(self, key: str) -> None:
        return None


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), for the reason given in upgrade
    op.drop_index(op.f('ix_claim_income_claim_id'), table_name='claim_income')
    op.drop_table('claim_income')
    op.drop_column('approvals', 'approver_list')
    op.drop_column('approvals', 'opened_at')
    op.drop_column('claim_payers', 'taxfree')
    op.drop_column('claim_payers', 'amount')
    op.drop_index('ix_claims_approved_at', table_name='claims')
    op.drop_column('claims', 'return_reason')
    op.drop_column('claims', 'returned_at')
    op.drop_column('claims', 'approved_at')
