"""full-text search index of published meetings

Revision ID: 78d5e608d8c4
Revises: f3925e29cb91
Create Date: 2026-11-24 07:30:00.000000

"""
from alembic import op

from register import fulltext


# revision identifiers, used by Alembic.
revision = '78d5e608d8c4'
down_revision = 'f3925e29cb91'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite: an FTS5 table; PostgreSQL: a table of tsvectors with a GIN index. Neither is
    # a model: the words are folded in Python and written by register.fulltext.
    connection = op.get_bind()
    fulltext.create(connection)
    # Every published record indexed, as the app indexes it on each write.
    fulltext.rebuild(connection)


def downgrade():
    fulltext.drop(op.get_bind())
