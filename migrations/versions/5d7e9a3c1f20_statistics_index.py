"""indexes for the statistics page and the feed

Revision ID: 5d7e9a3c1f20
Revises: e8b4f2a61c37
Create Date: 2026-11-24 08:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d7e9a3c1f20'
down_revision = 'e8b4f2a61c37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(
            'ix_meeting_statistics',
            ['status', 'held_on', 'initiative', 'format', 'published_at', 'id'],
            unique=False,
        )
    # The feed reads the newest revisions first.
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.create_index('ix_revision_created_at_id', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_index('ix_revision_created_at_id')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_statistics')
