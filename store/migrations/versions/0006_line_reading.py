"""line reading: what was read off an outlay's receipt, beside what was confirmed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE (as 0004): batch mode would copy and drop claim_lines
    op.add_column('claim_lines', sa.Column('reading', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('claim_lines') as batch:
        batch.drop_column('reading')
