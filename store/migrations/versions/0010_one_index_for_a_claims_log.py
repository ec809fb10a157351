"""one index for a claim's log: drop ix_claim_events_claim_id

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:30:00

``claim_events`` had two indexes that lead with ``claim_id``: ``ix_claim_events_claim_id``
and the unique ``(claim_id, seq)`` that keeps the log in order. Every read by claim
(a claim's log in order, its length for the decision's version check, the cascade when
a claim is erased) is served by the unique one, so the single-column index only cost a
write and its pages with every event logged. A test checks with EXPLAIN, on both
databases, that a claim's log is still read by index.
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_events_claim_id')


def downgrade() -> None:
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.create_index('ix_claim_events_claim_id', ['claim_id'], unique=False)
