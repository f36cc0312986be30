"""matching runs, results and assignments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 18:09:00.734157

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matching_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'discarded', name='runstatus', native_enum=False, length=20), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('priority_policy', sa.String(length=30), nullable=False),
    sa.Column('second_round', sa.Boolean(), nullable=False),
    sa.Column('stats', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_matching_run_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_run'))
    )
    op.create_table('matching_run_period',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['prao_period.id'], name=op.f('fk_matching_run_period_period_id_prao_period')),
    sa.ForeignKeyConstraint(['run_id'], ['matching_run.id'], name=op.f('fk_matching_run_period_run_id_matching_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'period_id', name=op.f('pk_matching_run_period'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('proposed', 'confirmed', 'in_progress', 'completed', 'declined', 'cancelled', name='assignmentstate', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('matching', 'manual', 'own', name='assignmentsource', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_assignment_enrolment_id_enrolment')),
    sa.ForeignKeyConstraint(['offer_id'], ['placement_offer.id'], name=op.f('fk_assignment_offer_id_placement_offer')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_assignment_placement_id_placement')),
    sa.ForeignKeyConstraint(['run_id'], ['matching_run.id'], name=op.f('fk_assignment_run_id_matching_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_assignment_enrolment_id'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_placement_id'), ['placement_id'], unique=False)

    op.create_table('match_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('lottery', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('first_round', 'second_round', 'manual', 'none', name='resultsource', native_enum=False, length=20), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_match_result_enrolment_id_enrolment')),
    sa.ForeignKeyConstraint(['offer_id'], ['placement_offer.id'], name=op.f('fk_match_result_offer_id_placement_offer')),
    sa.ForeignKeyConstraint(['run_id'], ['matching_run.id'], name=op.f('fk_match_result_run_id_matching_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_result')),
    sa.UniqueConstraint('run_id', 'enrolment_id', name='uq_match_result_run_enrolment')
    )
    with op.batch_alter_table('match_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_result_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_result_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_result_run_id'), ['run_id'], unique=False)



def downgrade():
    with op.batch_alter_table('match_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_result_run_id'))
        batch_op.drop_index(batch_op.f('ix_match_result_offer_id'))
        batch_op.drop_index(batch_op.f('ix_match_result_enrolment_id'))

    op.drop_table('match_result')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_placement_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_offer_id'))

    op.drop_table('assignment')
    op.drop_table('matching_run_period')
    op.drop_table('matching_run')
