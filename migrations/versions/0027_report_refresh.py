"""the coordinator's "update now" of a slow report scope, computed by the jobs command

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-28 21:10:00

At national scale a scope's report takes 10–25 seconds to compute, which a web worker may
not spend on one request (gunicorn's timeout is 30 s, less on a busy server). A snapshot now
keeps how long it took to compute; a scope that took longer than
REPORT_REFRESH_INLINE_SECONDS is queued here instead, one row per scope.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_snapshot') as batch_op:
        batch_op.add_column(sa.Column('compute_seconds', sa.Double(), nullable=True))
    op.create_table(
        'report_refresh',
        sa.Column('scope_key', sa.String(length=60), nullable=False),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('term', sa.String(length=10), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_report_refresh_municipality_id_municipality'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('scope_key', name=op.f('pk_report_refresh')),
    )


def downgrade():
    op.drop_table('report_refresh')
    with op.batch_alter_table('report_snapshot') as batch_op:
        batch_op.drop_column('compute_seconds')
