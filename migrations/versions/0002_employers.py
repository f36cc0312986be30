"""employers: organisation details, placements, offers, join requests, calendar

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:54:53.209929

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('auto_publish_approved', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_settings'))
    )
    op.create_table('calendar_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('first_week', sa.Date(), nullable=False),
    sa.Column('last_week', sa.Date(), nullable=False),
    sa.Column('pupils', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('last_week >= first_week', name=op.f('ck_calendar_entry_weeks_in_order')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_calendar_entry_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_entry')),
    sa.UniqueConstraint('school_id', 'first_week', name='uq_calendar_entry_school_week')
    )
    with op.batch_alter_table('calendar_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_entry_school_id'), ['school_id'], unique=False)

    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'pending', 'published', 'archived', name='placementstatus', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=6), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('supervisor_name', sa.String(length=200), nullable=False),
    sa.Column('supervisor_phone', sa.String(length=40), nullable=False),
    sa.Column('supervisor_email', sa.String(length=254), nullable=False),
    sa.Column('day_start', sa.Time(), nullable=False),
    sa.Column('day_end', sa.Time(), nullable=False),
    sa.Column('break_start', sa.Time(), nullable=True),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('accepts_grade_8', sa.Boolean(), nullable=False),
    sa.Column('accepts_grade_9', sa.Boolean(), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('features', sa.Integer(), nullable=False),
    sa.Column('protective_equipment', sa.Text(), nullable=False),
    sa.Column('risk_hazards', sa.Text(), nullable=False),
    sa.Column('risk_measures', sa.Text(), nullable=False),
    sa.Column('risk_introduction', sa.Text(), nullable=False),
    sa.Column('risk_supervisor', sa.String(length=200), nullable=False),
    sa.Column('risk_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('break_minutes >= 0', name=op.f('ck_placement_break_not_negative')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_placement_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_placement_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_placement_status_sector', ['status', 'sector'], unique=False)

    op.create_table('join_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='joinstatus', native_enum=False, length=20), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_join_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_join_request_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_join_request_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_request'))
    )
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_request_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_request_user_id'), ['user_id'], unique=False)

    op.create_table('placement_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('first_week', sa.Date(), nullable=False),
    sa.Column('last_week', sa.Date(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('last_week >= first_week', name=op.f('ck_placement_offer_weeks_in_order')),
    sa.CheckConstraint('seats > 0', name=op.f('ck_placement_offer_seats_positive')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= seats', name=op.f('ck_placement_offer_not_overbooked')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_placement_offer_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_offer'))
    )
    with op.batch_alter_table('placement_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_offer_placement_id'), ['placement_id'], unique=False)
        batch_op.create_index('ix_placement_offer_weeks', ['first_week', 'last_week'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sector', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('visiting_address', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('postal_code', sa.String(length=6), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organisation_municipality_id_municipality'), 'municipality', ['municipality_id'], ['id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=False, server_default=''))

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    # SQLite rebuilds the table to drop columns and cannot carry an expression index over:
    # take it off first and put it back after.
    op.drop_index('uq_user_account_email_lower', table_name='user_account')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('email_verified_at')
    op.create_index('uq_user_account_email_lower', 'user_account', [sa.text('lower(email)')],
                    unique=True)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_municipality_id_municipality'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisation_status'))
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('municipality_id')
        batch_op.drop_column('city')
        batch_op.drop_column('postal_code')
        batch_op.drop_column('visiting_address')
        batch_op.drop_column('sector')

    with op.batch_alter_table('placement_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_placement_offer_weeks')
        batch_op.drop_index(batch_op.f('ix_placement_offer_placement_id'))

    op.drop_table('placement_offer')
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_join_request_organisation_id'))

    op.drop_table('join_request')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index('ix_placement_status_sector')
        batch_op.drop_index(batch_op.f('ix_placement_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_placement_municipality_id'))

    op.drop_table('placement')
    with op.batch_alter_table('calendar_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_entry_school_id'))

    op.drop_table('calendar_entry')
    op.drop_table('region_settings')
    # ### end Alembic commands ###
