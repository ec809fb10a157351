"""exchange rates: Norges Bank's, one row per currency and asked-for day

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 20:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_rates',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('quoted_on', sa.Date(), nullable=False),
    sa.Column('nok_per_unit', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('currency', 'day', name=op.f('pk_exchange_rates'))
    )


def downgrade() -> None:
    op.drop_table('exchange_rates')
