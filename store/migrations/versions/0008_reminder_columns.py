"""reminder columns: each claim's last trip day and when it was last touched

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 07:10:00

The hourly reminders ask "which open claims are untouched for three days", "whose
deadline falls in the next three days" and "which stages have waited five days" as
queries on these columns (and on approvals.opened_at), instead of loading every draft,
returned and awaiting claim. Existing claims are filled in here: ``touched_at`` from
their log, ``trip_end`` from their lines.
"""

from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE (as 0004): batch mode would copy `claims` and drop the old one,
    # which with foreign keys on cascades to every claim's lines
    op.add_column('claims', sa.Column('trip_end', sa.Date(), nullable=True))
    op.add_column('claims', sa.Column('touched_at', sa.DateTime(), nullable=True))
    op.create_index('ix_claims_status_trip_end', 'claims', ['status', 'trip_end'])
    op.create_index('ix_claims_status_touched_at', 'claims', ['status', 'touched_at'])
    op.create_index('ix_approvals_state_opened_at', 'approvals', ['state', 'opened_at'])
    _fill(op.get_bind())


def _fill(conn: sa.Connection) -> None:
    import json

    from domain.claim import ClaimLine
    from domain.codec import line_from_dict

    claims = sa.table('claims', sa.column('id'), sa.column('trip_end'),
                      sa.column('touched_at'))
    events = sa.table('claim_events', sa.column('claim_id'), sa.column('at'))
    lines = sa.table('claim_lines', sa.column('claim_id'), sa.column('body'))
    conn.execute(claims.update().values(touched_at=sa.select(sa.func.max(events.c.at)).where(
        events.c.claim_id == claims.c.id).scalar_subquery()))
    ends: dict[str, Any] = {}
    for row in conn.execute(sa.select(lines.c.claim_id, lines.c.body)):
        body = row.body if isinstance(row.body, dict) else json.loads(row.body)
        last = ClaimLine('-', line_from_dict(body)).last_date
        if row.claim_id not in ends or last > ends[row.claim_id]:
            ends[row.claim_id] = last
    if ends:
        conn.execute(claims.update().where(claims.c.id == sa.bindparam('b_id')).values(
            trip_end=sa.bindparam('b_end')),
            [{'b_id': claim_id, 'b_end': end} for claim_id, end in ends.items()])


def downgrade() -> None:
    op.drop_index('ix_approvals_state_opened_at', table_name='approvals')
    op.drop_index('ix_claims_status_touched_at', table_name='claims')
    op.drop_index('ix_claims_status_trip_end', table_name='claims')
    # plain DROP COLUMN (SQLite 3.35+), never batch mode on `claims` (see upgrade)
    op.drop_column('claims', 'touched_at')
    op.drop_column('claims', 'trip_end')
