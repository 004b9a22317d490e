"""index for the public list of organisations

Revision ID: e8b4f2a61c37
Revises: c41d2e7a9b15
Create Date: 2026-11-24 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8b4f2a61c37'
down_revision = 'c41d2e7a9b15'
branch_labels = None
depends_on = None


def upgrade():
    # A partial index: only the organisations the public list shows, in its order. The
    # condition is written as the list's query writes it, or SQLite would not use it.
    op.create_index(
        'ix_organisation_listed',
        'organisation',
        ['search_key', 'kind', 'id'],
        unique=False,
        sqlite_where=sa.text('public = 1 AND merged_into_id IS NULL'),
        postgresql_where=sa.text('public AND merged_into_id IS NULL'),
    )


def downgrade():
    op.drop_index('ix_organisation_listed', table_name='organisation')
