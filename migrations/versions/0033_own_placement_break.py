"""a pupil's own placement starts from a legal day for minors: 08:00–15:00 with a 30-minute
break at 11:30

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-30 14:00:00

A pupil's own placement (registered from the pupil's form, or made when an organisation
confirmed the pupil's request) was created with 08:00–15:00 and no break, which the rules
for minors forbid (a break after at most 4.5 hours). The employer's placement form and the
risk-assessment link then refused to save anything, a supervisor included, until someone
fixed the hours. New ones get the break (portal.schools.pupils.services.OWN_DAY); here the
drafts still on those untouched hours get it too. Hours anyone has changed are left as they
are. The downgrade leaves the break: it cannot tell which ones it added, and the hours
without it were not legal.
"""
from datetime import time

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

placement = sa.table('placement', sa.column('id', sa.Integer), sa.column('status', sa.String),
                     sa.column('day_start', sa.Time), sa.column('day_end', sa.Time),
                     sa.column('break_start', sa.Time), sa.column('break_minutes', sa.Integer))
enrolment = sa.table('enrolment', sa.column('own_placement_id', sa.Integer))
request = sa.table('own_placement_request', sa.column('placement_id', sa.Integer))


def upgrade():
    own = sa.union(sa.select(enrolment.c.own_placement_id)
                   .where(enrolment.c.own_placement_id.is_not(None)),
                   sa.select(request.c.placement_id).where(request.c.placement_id.is_not(None)))
    op.get_bind().execute(
        placement.update()
        .where(placement.c.id.in_(own), placement.c.status == 'draft',
               placement.c.day_start == time(8, 0), placement.c.day_end == time(15, 0),
               placement.c.break_start.is_(None), placement.c.break_minutes == 0)
        .values(break_start=time(11, 30), break_minutes=30))


def downgrade():
    pass
