"""inbound failures: messages that failed as our error, with their attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_failures',
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('retry_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_inbound_failures'))
    )


def downgrade() -> None:
    op.drop_table('inbound_failures')
