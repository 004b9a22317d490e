"""organisations a registrar vouched for; the others are public only while a published
record names them

Revision ID: d9a3f5c7e1b4
Revises: c4e8a1f6d2b9
Create Date: 2026-11-24 22:10:00

"""

import sqlalchemy as sa
from alembic import op

from register.models import UTCDateTime

revision = "d9a3f5c7e1b4"
down_revision = "c4e8a1f6d2b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vouched_at", UTCDateTime(timezone=True), nullable=True))

    # Vouched for: corrected by a registrar (from the first such entry in the audit log),
    # or public without any record naming it, as reference data is entered.
    op.execute(
        """
        UPDATE organisation SET vouched_at = (
            SELECT min(audit_entry.at) FROM audit_entry
            WHERE audit_entry.action = 'organisation_update'
              AND audit_entry.target_type = 'organisation'
              AND audit_entry.target_id = organisation.id
        )
        """
    )
    op.execute(
        """
        UPDATE organisation SET vouched_at = created_at
        WHERE vouched_at IS NULL AND public AND NOT EXISTS (
            SELECT 1 FROM meeting_organisation
            WHERE meeting_organisation.organisation_id = organisation.id
        )
        """
    )
    # The rule from now on, for what is already there: public only while vouched for or
    # named by a published record.
    op.execute(
        """
        UPDATE organisation SET public = false
        WHERE public AND vouched_at IS NULL AND merged_into_id IS NULL
          AND NOT EXISTS (
            SELECT 1 FROM meeting_organisation
            JOIN meeting ON meeting.id = meeting_organisation.meeting_id
            WHERE meeting_organisation.organisation_id = organisation.id
              AND meeting.status = 'published'
          )
        """
    )


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("vouched_at")
