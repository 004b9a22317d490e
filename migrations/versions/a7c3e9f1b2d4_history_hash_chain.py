"""a hash chain over the revisions: content_hash and chain_hash

Revision ID: a7c3e9f1b2d4
Revises: b8d4f0a2c3e5
Create Date: 2026-11-24 13:10:00

Every existing revision is hashed and linked in the order of its id, as the app does for
new ones (register/history.py), a batch at a time.
"""

import sqlalchemy as sa
from alembic import op

from register import history
from register.models import UTCDateTime

revision = "a7c3e9f1b2d4"
down_revision = "b8d4f0a2c3e5"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    meeting = sa.table("meeting", sa.column("id", sa.Integer), sa.column("number", sa.Integer))
    revision_table = sa.table(
        "revision",
        sa.column("id", sa.Integer),
        sa.column("meeting_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("action", sa.String),
        sa.column("created_at", UTCDateTime()),
        sa.column("reason", sa.Text),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
        sa.column("content_hash", sa.String),
        sa.column("chain_hash", sa.String),
    )
    read = (
        sa.select(
            revision_table.c.id,
            meeting.c.number.label("record"),
            revision_table.c.number,
            revision_table.c.action,
            revision_table.c.created_at,
            revision_table.c.reason,
            revision_table.c.before,
            revision_table.c.after,
        )
        .join(meeting, meeting.c.id == revision_table.c.meeting_id)
        .order_by(revision_table.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(revision_table)
        .where(revision_table.c.id == sa.bindparam("revision_id"))
        .values(content_hash=sa.bindparam("content"), chain_hash=sa.bindparam("chained"))
    )
    chain = history.Chain(history.GENESIS)
    last = 0
    while True:
        rows = connection.execute(read.where(revision_table.c.id > last)).all()
        if not rows:
            break
        hashed = []
        for row in rows:
            content, chained = chain.append(**history.stored_fields(row))
            hashed.append({"revision_id": row.id, "content": content, "chained": chained})
        connection.execute(write, hashed)
        last = rows[-1].id

    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.alter_column("content_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("chain_hash", existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("content_hash")
