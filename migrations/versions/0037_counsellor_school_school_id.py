"""index counsellor_school.school_id: a school's counsellors without reading every link

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-01 03:10:00

A placed pupil's page names the school's counsellors, and the employer's pupil cards name
each pupil's school's; both ask counsellor_school by school_id, which its primary key
(user_id, school_id) does not lead with. Without this index each page read the whole table
(1,400 links on the national data set, more as counsellors come and go).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_counsellor_school_school_id", "counsellor_school", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_counsellor_school_school_id", "counsellor_school")
