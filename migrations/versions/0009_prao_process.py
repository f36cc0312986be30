"""prao process: confirmation, checklist, attendance, alerts, incidents, follow-ups,
guardian notices, certificates and the keys that keep jobs idempotent

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-28 04:42:50.861454

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table; its neighbours need not be reflected (and cannot all be).
    with op.batch_alter_table('assignment', schema=None,
                              reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_label', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('placement_reason', sa.Text(), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_assignment_enrolment_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_assignment_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index('uq_assignment_enrolment_active', ['enrolment_id'], unique=True, postgresql_where=sa.text("state IN ('proposed', 'confirmed', 'in_progress', 'completed')"), sqlite_where=sa.text("state IN ('proposed', 'confirmed', 'in_progress', 'completed')"))
        batch_op.create_foreign_key(batch_op.f('fk_assignment_created_by_id_user_account'), 'user_account', ['created_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_assignment_decided_by_id_user_account'), 'user_account', ['decided_by_id'], ['id'])

    op.create_table('morning_email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisor_email', sa.String(length=254), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_morning_email')),
    sa.UniqueConstraint('supervisor_email', 'day', name='uq_morning_email_supervisor_email_day')
    )
    op.create_table('attendance_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('absent', 'not_reported', 'hours', name='alertkind', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('guardian_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_attendance_alert_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_alert')),
    sa.UniqueConstraint('assignment_id', 'day', 'kind', name='uq_attendance_alert_assignment_day_kind')
    )
    with op.batch_alter_table('attendance_alert', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_alert_day', ['day'], unique=False)

    op.create_table('attendance_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('excused', sa.Boolean(), nullable=True),
    sa.Column('excused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('excused_by_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('present', 'absent', 'late', name='attendancestatus', native_enum=False, length=20), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_label', sa.String(length=200), nullable=False),
    sa.CheckConstraint('break_minutes >= 0', name=op.f('ck_attendance_day_break_not_negative')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_attendance_day_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['excused_by_id'], ['user_account.id'], name=op.f('fk_attendance_day_excused_by_id_user_account')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_attendance_day_reported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_day')),
    sa.UniqueConstraint('assignment_id', 'day', name='uq_attendance_day_assignment_day')
    )
    op.create_table('attendance_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('present', 'absent', 'late', name='attendancestatus', native_enum=False, length=20), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_attendance_report_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_attendance_report_reported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_report'))
    )
    with op.batch_alter_table('attendance_report', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_report_assignment_day', ['assignment_id', 'day'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_certificate_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_certificate_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_certificate_assignment_id')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code'))
    )
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('contact', 'visit', name='followupkind', native_enum=False, length=20), nullable=False),
    sa.Column('enjoys', sa.Text(), nullable=False),
    sa.Column('adjust', sa.Text(), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('questions', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_follow_up_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_follow_up_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('guardian_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('letter', 'email', name='noticechannel', native_enum=False, length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_guardian_notice_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_guardian_notice_enrolment_id_enrolment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardian_notice')),
    sa.UniqueConstraint('assignment_id', 'channel', name='uq_guardian_notice_assignment_channel')
    )
    with op.batch_alter_table('guardian_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guardian_notice_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('accident', 'near_miss', name='incidentkind', native_enum=False, length=20), nullable=False),
    sa.Column('severity', sa.Enum('minor', 'serious', name='incidentseverity', native_enum=False, length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('injury', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_incident_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_incident_reported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('step_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_by_label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_step_record_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['done_by_id'], ['user_account.id'], name=op.f('fk_step_record_done_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_record')),
    sa.UniqueConstraint('assignment_id', 'step', name='uq_step_record_assignment_step')
    )
    op.create_table('step_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_step_reminder_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_reminder')),
    sa.UniqueConstraint('assignment_id', 'step', name='uq_step_reminder_assignment_step')
    )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guardian_ack_required', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_day_start', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('first_day_ask_for', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('bring_and_wear', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('absence_contact', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('alert_guardians_on_absence', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guardian_email', sa.String(length=254), nullable=True))



def downgrade():
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_column('guardian_email')

    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('alert_guardians_on_absence')
        batch_op.drop_column('absence_contact')

    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_column('bring_and_wear')
        batch_op.drop_column('first_day_ask_for')
        batch_op.drop_column('first_day_start')

    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('guardian_ack_required')

    with op.batch_alter_table('assignment', schema=None,
                              reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignment_decided_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assignment_created_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index('uq_assignment_enrolment_active', postgresql_where=sa.text("state IN ('proposed', 'confirmed', 'in_progress', 'completed')"), sqlite_where=sa.text("state IN ('proposed', 'confirmed', 'in_progress', 'completed')"))
        batch_op.drop_index(batch_op.f('ix_assignment_enrolment_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_assignment_enrolment_id'), ['enrolment_id'])
        batch_op.drop_column('placement_reason')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('decided_by_label')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')

    op.drop_table('step_reminder')
    op.drop_table('step_record')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_assignment_id'))

    op.drop_table('incident')
    with op.batch_alter_table('guardian_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guardian_notice_enrolment_id'))

    op.drop_table('guardian_notice')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_assignment_id'))

    op.drop_table('follow_up')
    op.drop_table('certificate')
    with op.batch_alter_table('attendance_report', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_report_assignment_day')

    op.drop_table('attendance_report')
    op.drop_table('attendance_day')
    with op.batch_alter_table('attendance_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_alert_day')

    op.drop_table('attendance_alert')
    op.drop_table('morning_email')
