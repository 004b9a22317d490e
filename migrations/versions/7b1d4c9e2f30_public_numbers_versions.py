"""public numbers, record versions, private draft organisations

Revision ID: 7b1d4c9e2f30
Revises: e2300c2526fb
Create Date: 2026-11-24 05:00:00

Published and withdrawn records get gapless public numbers in the order they were first
published; drafts get none. Organisations that only drafts name become private.
"""

import sqlalchemy as sa
from alembic import op

revision = "7b1d4c9e2f30"
down_revision = "e2300c2526fb"
branch_labels = None
depends_on = None


def upgrade():
    counter = op.create_table(
        "counter",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counter")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.drop_index("ix_meeting_status_held_on_id")
        batch_op.create_index(
            "ix_meeting_status_held_on_number", ["status", "held_on", "number"], unique=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_meeting_number"), ["number"])
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    connection = op.get_bind()
    meeting = sa.table(
        "meeting",
        sa.column("id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("status", sa.String),
        sa.column("published_at", sa.DateTime),
    )
    published = connection.execute(
        sa.select(meeting.c.id)
        .where(meeting.c.status != "draft")
        .order_by(meeting.c.published_at, meeting.c.id)
    ).scalars()
    count = 0
    for count, meeting_id in enumerate(published, start=1):
        connection.execute(
            sa.update(meeting).where(meeting.c.id == meeting_id).values(number=count)
        )
    op.bulk_insert(counter, [{"name": "meeting_number", "value": count}])

    # Public: organisations on a record that was ever published, and those no meeting
    # names (entered as reference data). Those that only drafts name stay private.
    connection.execute(
        sa.text(
            "UPDATE organisation SET public = :yes WHERE id IN ("
            " SELECT mo.organisation_id FROM meeting_organisation mo"
            " JOIN meeting m ON m.id = mo.meeting_id WHERE m.status != 'draft')"
            " OR id NOT IN (SELECT organisation_id FROM meeting_organisation)"
        ).bindparams(yes=True)
    )


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("public")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_meeting_number"), type_="unique")
        batch_op.drop_index("ix_meeting_status_held_on_number")
        batch_op.create_index(
            "ix_meeting_status_held_on_id", ["status", "held_on", "id"], unique=False
        )
        batch_op.drop_column("version")
        batch_op.drop_column("number")
    op.drop_table("counter")
