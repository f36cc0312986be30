"""the council's targets per indicator, scope and school year; an index for the report's
attendance counts

Revision ID: 0016
Revises: 0007
Create Date: 2026-11-28 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'council_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=60), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('value', sa.Double(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_council_target_municipality_id_municipality'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_council_target_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_target')),
    )
    with op.batch_alter_table('council_target', schema=None) as batch_op:
        batch_op.create_index('uq_council_target_municipality',
                              ['indicator', 'municipality_id', 'school_year'], unique=True,
                              postgresql_where=sa.text('municipality_id IS NOT NULL'),
                              sqlite_where=sa.text('municipality_id IS NOT NULL'))
        batch_op.create_index('uq_council_target_region', ['indicator', 'school_year'],
                              unique=True, postgresql_where=sa.text('municipality_id IS NULL'),
                              sqlite_where=sa.text('municipality_id IS NULL'))


    with op.batch_alter_table('attendance_day', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_day_assignment_status',
                              ['assignment_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance_day', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_day_assignment_status')
    with op.batch_alter_table('council_target', schema=None) as batch_op:
        batch_op.drop_index('uq_council_target_region')
        batch_op.drop_index('uq_council_target_municipality')
    op.drop_table('council_target')
