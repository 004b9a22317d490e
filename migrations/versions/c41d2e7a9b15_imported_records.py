"""imported records: when a meeting was brought in by the importer

Revision ID: c41d2e7a9b15
Revises: 78d5e608d8c4
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import register.models


# revision identifiers, used by Alembic.
revision = 'c41d2e7a9b15'
down_revision = '78d5e608d8c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported_at', register.models.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('imported_at')
