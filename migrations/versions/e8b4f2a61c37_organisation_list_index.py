"""index for the public list of organisations

Revision ID: e8b4f2a61c37
Revises: c41d2e7a9b15
Create Date: 2026-11-24 08:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8b4f2a61c37'
down_revision = 'c41d2e7a9b15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(
            'ix_organisation_listed', ['public', 'merged_into_id', 'search_key', 'kind'], unique=False
        )


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_listed')
