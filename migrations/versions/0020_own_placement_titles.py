"""own placements are titled by their workplace, not by a Swedish text the portal made up

Revision ID: 0020
Revises: 0007
Create Date: 2026-11-28 08:00:00

An own placement's title was written as "Egen praoplats, <period>": Swedish generated text
stored as data, shown as is to English readers (the employer's list, the supervisor's link,
attendance, the export). The title is now the workplace the pupil typed; for the rows
already written that is the organisation's name (the workplace the pupil registered, or
the organisation that confirmed the pupil's request). The downgrade leaves the titles:
the old text cannot be told apart from a workplace's name afterwards, and either reads.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE placement SET title = (SELECT substr(o.name, 1, 200) FROM organisation o "
        "WHERE o.id = placement.organisation_id) "
        "WHERE title LIKE 'Egen praoplats, %'")


def downgrade():
    pass
