"""bounce tokens: the VERP envelope sender of each mail, and who it was sent to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bounce_tokens',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_bounce_tokens'))
    )


def downgrade() -> None:
    op.drop_table('bounce_tokens')
