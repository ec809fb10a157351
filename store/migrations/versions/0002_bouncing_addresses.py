"""bouncing addresses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 06:01:06.673169
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('bouncing_addresses',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_bouncing_addresses'))
    )



def downgrade() -> None:

    op.drop_table('bouncing_addresses')

