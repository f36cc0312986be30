"""schools: prao periods, pupils, enrolments, wishes, imports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:01:38.504519

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('student',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('class_name', sa.String(length=20), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('gender', sa.Enum('girl', 'boy', 'other', 'unknown', name='gender', native_enum=False, length=20), nullable=False),
    sa.Column('needs', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('missing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_student_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student')),
    sa.UniqueConstraint('school_id', 'external_id', name='uq_student_school_external')
    )
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_school_id'), ['school_id'], unique=False)

    op.create_table('prao_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('wishes_open', sa.Date(), nullable=False),
    sa.Column('wishes_close', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('grade IN (8, 9)', name=op.f('ck_prao_period_grade_8_or_9')),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_prao_period_days_in_order')),
    sa.CheckConstraint('wishes_close >= wishes_open', name=op.f('ck_prao_period_window_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_prao_period_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_prao_period_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prao_period'))
    )
    with op.batch_alter_table('prao_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prao_period_school_id'), ['school_id'], unique=False)

    op.create_table('pupil_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_pupil_import_school_id_school')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_pupil_import_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pupil_import'))
    )
    with op.batch_alter_table('pupil_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pupil_import_school_id'), ['school_id'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('needs_placement', 'own_placement', 'assigned', 'exempt', name='enrolmentstate', native_enum=False, length=20), nullable=False),
    sa.Column('exempt_reason', sa.Text(), nullable=False),
    sa.Column('own_placement_id', sa.Integer(), nullable=True),
    sa.Column('link_version', sa.Integer(), nullable=False),
    sa.Column('link_revoked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['own_placement_id'], ['placement.id'], name=op.f('fk_enrolment_own_placement_id_placement')),
    sa.ForeignKeyConstraint(['period_id'], ['prao_period.id'], name=op.f('fk_enrolment_period_id_prao_period')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_enrolment_student_id_student')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment')),
    sa.UniqueConstraint('period_id', 'student_id', name='uq_enrolment_period_student')
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_student_id'), ['student_id'], unique=False)

    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank BETWEEN 1 AND 5', name=op.f('ck_wish_rank_1_to_5')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_wish_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['placement_offer.id'], name=op.f('fk_wish_offer_id_placement_offer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish')),
    sa.UniqueConstraint('enrolment_id', 'offer_id', name='uq_wish_enrolment_offer'),
    sa.UniqueConstraint('enrolment_id', 'rank', name='uq_wish_enrolment_rank')
    )
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wish_offer_id'), ['offer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wish_offer_id'))

    op.drop_table('wish')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_student_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_period_id'))

    op.drop_table('enrolment')
    with op.batch_alter_table('pupil_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pupil_import_school_id'))

    op.drop_table('pupil_import')
    with op.batch_alter_table('prao_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prao_period_school_id'))

    op.drop_table('prao_period')
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_school_id'))

    op.drop_table('student')
