"""first schema: claims, approvals, log, outbox, inbound, reply keys, dialogs, attachments

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 05:26:03.670797
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('attachments',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('hash', name=op.f('pk_attachments'))
    )
    op.create_table('claimants',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('bank_account', sa.String(length=11), nullable=False),
    sa.Column('national_id', sa.String(length=11), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('allocation_defaults', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claimants')),
    sa.UniqueConstraint('telegram_id', name=op.f('uq_claimants_telegram_id'))
    )
    op.create_table('dialog_states',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('flow', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_dialog_states'))
    )
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_inbound_messages_message_id'))
    )
    op.create_table('organisations',
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_organisations'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=400), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_try_at'], unique=False)

    op.create_table('reference_counters',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_reference_counters'))
    )
    op.create_table('claims',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('claimant_id', sa.String(length=32), nullable=False),
    sa.Column('payers', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rate_set', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('route', sa.Text(), nullable=False),
    sa.Column('allocation', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('returned_by', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_claims_claimant_id_claimants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('reference', name=op.f('uq_claims_reference'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_claimant_id'), ['claimant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_status'), ['status'], unique=False)

    op.create_table('invites',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org'], ['organisations.slug'], name=op.f('fk_invites_org_organisations')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_invites'))
    )
    op.create_table('memberships',
    sa.Column('claimant_id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimants.id'], name=op.f('fk_memberships_claimant_id_claimants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org'], ['organisations.slug'], name=op.f('fk_memberships_org_organisations')),
    sa.PrimaryKeyConstraint('claimant_id', 'org', name=op.f('pk_memberships'))
    )
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('payer', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('stage_name', sa.String(length=64), nullable=False),
    sa.Column('approvers', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.String(length=320), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_approvals_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals')),
    sa.UniqueConstraint('claim_id', 'round', 'payer', 'stage', name='uq_approvals_stage')
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index('ix_approvals_state', ['state'], unique=False)

    op.create_table('claim_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=320), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('payer', sa.String(length=64), nullable=True),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('source_message_id', sa.String(length=998), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_events_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_events')),
    sa.UniqueConstraint('claim_id', 'seq', name='uq_claim_events_seq')
    )
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_events_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_lines',
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('payer', sa.String(length=64), nullable=True),
    sa.Column('type_code', sa.String(length=64), nullable=False),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('no_receipt_reason', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('computed', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_lines_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('claim_id', 'id', name=op.f('pk_claim_lines'))
    )

    op.create_table('claim_payers',
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_payers_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org'], ['organisations.slug'], name=op.f('fk_claim_payers_org_organisations')),
    sa.PrimaryKeyConstraint('claim_id', 'org', name=op.f('pk_claim_payers'))
    )
    with op.batch_alter_table('claim_payers', schema=None) as batch_op:
        batch_op.create_index('ix_claim_payers_org', ['org'], unique=False)

    op.create_table('reply_keys',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('claim_id', sa.String(length=32), nullable=False),
    sa.Column('payer', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('approver', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_reply_keys_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_reply_keys'))
    )



def downgrade() -> None:

    op.drop_table('reply_keys')
    with op.batch_alter_table('claim_payers', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_payers_org')

    op.drop_table('claim_payers')
    op.drop_table('claim_lines')
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_events_claim_id'))

    op.drop_table('claim_events')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_approvals_state')

    op.drop_table('approvals')
    op.drop_table('memberships')
    op.drop_table('invites')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_status'))
        batch_op.drop_index(batch_op.f('ix_claims_claimant_id'))

    op.drop_table('claims')
    op.drop_table('reference_counters')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    op.drop_table('organisations')
    op.drop_table('inbound_messages')
    op.drop_table('dialog_states')
    op.drop_table('claimants')
    op.drop_table('attachments')

