"""the council report's page kept with its snapshot: suppressed first rows and charts

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 09:00:00

Reading the report drew 23 matplotlib charts and suppressed every table on each request.
The snapshot now also keeps the page as shown (every indicator suppressed, its first rows,
its chart as SVG in each language), made when the snapshot is computed. Snapshots stored
before have none and are computed again when next read.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_snapshot') as batch_op:
        batch_op.add_column(sa.Column('page', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('report_snapshot') as batch_op:
        batch_op.drop_column('page')
