"""failed sign-ins, counted per account and per address for throttling

Revision ID: b8d4f0a2c3e5
Revises: 5d7e9a3c1f20
Create Date: 2026-11-24 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import register.models


# revision identifiers, used by Alembic.
revision = 'b8d4f0a2c3e5'
down_revision = '5d7e9a3c1f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('at', register.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure')),
    )
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failure_at'), ['at'], unique=False)
        batch_op.create_index('ix_sign_in_failure_key_at', ['key', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failure_key_at')
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_at'))
    op.drop_table('sign_in_failure')
