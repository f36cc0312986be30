"""the coordinator's "update now" of a large report scope, computed by the jobs command

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-28 21:10:00

At national scale a scope's report takes 10–25 seconds to compute, which a web worker may
not spend on one request (gunicorn's timeout is 30 s, less on a busy server). A scope of
more than REPORT_REFRESH_INLINE_PUPILS pupils is now queued here instead, one row per scope.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_refresh',
        sa.Column('scope_key', sa.String(length=60), nullable=False),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('term', sa.String(length=10), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_report_refresh_municipality_id_municipality'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('scope_key', name=op.f('pk_report_refresh')),
    )


def downgrade():
    op.drop_table('report_refresh')
