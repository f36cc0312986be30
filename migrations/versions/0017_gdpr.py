"""the GDPR duties: audit events name their pupil, indexes for the coordinator's log, and
a pupil's purge time

Revision ID: 0017
Revises: 0007
Create Date: 2026-11-28 08:00:00

* audit_event.student_id: the one pupil an event is about (None for a list read), with
  (student_id, id) and (user_id, id) indexes so the log pages newest first under a filter,
  and (object_type, object_id) to find the events about an object. The old single-column
  index on user_id is replaced by the composite one.
* student.purged_at: when `flask retention purge` removed the pupil's personal data.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = "0020"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both engines (as 0014): a batch rebuild of audit_event would reflect
# user_account and its expression index on lower(email). SQLite adds a column with a
# REFERENCES clause in place, since its default is NULL.

def upgrade():
    if op.get_bind().dialect.name == 'sqlite':  # Alembic refuses a constraint on SQLite
        op.execute('ALTER TABLE audit_event ADD COLUMN student_id INTEGER '
                   'CONSTRAINT fk_audit_event_student_id_student REFERENCES student (id)')
    else:
        op.add_column('audit_event', sa.Column(
            'student_id', sa.Integer(),
            sa.ForeignKey('student.id', name='fk_audit_event_student_id_student'),
            nullable=True))
    op.drop_index('ix_audit_event_user_id', table_name='audit_event')
    op.create_index('ix_audit_event_user_id_id', 'audit_event', ['user_id', 'id'])
    op.create_index('ix_audit_event_student_id_id', 'audit_event', ['student_id', 'id'])
    op.create_index('ix_audit_event_object', 'audit_event', ['object_type', 'object_id'])
    op.add_column('student', sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('student', 'purged_at')
    op.drop_index('ix_audit_event_object', table_name='audit_event')
    op.drop_index('ix_audit_event_student_id_id', table_name='audit_event')
    op.drop_index('ix_audit_event_user_id_id', table_name='audit_event')
    op.create_index('ix_audit_event_user_id', 'audit_event', ['user_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('fk_audit_event_student_id_student', 'audit_event',
                           type_='foreignkey')
    # SQLite (3.35+) drops a column whose REFERENCES clause names no index.
    op.drop_column('audit_event', 'student_id')
