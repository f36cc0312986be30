"""the council report's snapshots: every indicator's Table per scope, as JSON

Revision ID: 0025
Revises: 0016
Create Date: 2026-11-28 09:15:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope_key', sa.String(length=60), nullable=False),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('tables', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshot')),
        sa.UniqueConstraint('scope_key', name=op.f('uq_report_snapshot_scope_key')),
    )


def downgrade():
    op.drop_table('report_snapshot')
