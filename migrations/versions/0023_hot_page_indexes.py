"""the pupils still waiting per period, indexed for the calendar's shortage

Revision ID: 0023
Revises: 0015
Create Date: 2026-11-28 09:00:00

The employer start page's calendar counts, per prao period in the weeks shown, the pupils
still needing a placement. A partial index holds just those enrolments, so the count reads
them from the index instead of every enrolment of the year.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0016'
branch_labels = None
depends_on = None

WAITING = sa.text("state = 'needs_placement'")


def upgrade():
    op.create_index('ix_enrolment_waiting_period', 'enrolment', ['period_id'], unique=False,
                    postgresql_where=WAITING, sqlite_where=WAITING)


def downgrade():
    op.drop_index('ix_enrolment_waiting_period', table_name='enrolment')
