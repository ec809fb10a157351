"""reply keys by claim: an index for looking up the key sent for one approval

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:40:00

The hourly reminders look up the key last sent for each awaiting approval
(``SqlReplyKeys.for_approval``: claim, payer, stage, round, approver), and erasing a
claim cascades to its keys. Without an index on ``claim_id`` both read every key ever
issued: two a claim and stage, 200,000 at 100k claims, once for each awaiting approval.
Seen as 1.5 million rows read by 1,503 sequential scans of ``reply_keys`` in the
benchmark's PostgreSQL database (7 December 2026).
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_reply_keys_approval', 'reply_keys',
                    ['claim_id', 'payer', 'stage', 'round'])


def downgrade() -> None:
    op.drop_index('ix_reply_keys_approval', table_name='reply_keys')
