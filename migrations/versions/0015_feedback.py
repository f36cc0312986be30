"""evaluations: versioned questions (version 1 of each seeded here), responses, answers and
the reminder keys

Revision ID: 0015
Revises: 0007
Create Date: 2026-11-28 07:49:57.139058

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0017'
branch_labels = None
depends_on = None

# Version 1 as data, copied here: a later edit of the portal's defaults must not change
# what this migration wrote.
FIRST_VERSION = {'pupil': [{'key': 'real_tasks',
            'kind': 'likert',
            'label_sv': 'Jag fick göra riktiga arbetsuppgifter',
            'label_en': 'I did real tasks'},
           {'key': 'learnt_job',
            'kind': 'likert',
            'label_sv': 'Jag lärde mig hur det är att jobba där',
            'label_en': 'I learnt what the job is like'},
           {'key': 'safe_welcome',
            'kind': 'likert',
            'label_sv': 'Jag kände mig trygg och välkommen',
            'label_en': 'I felt safe and welcome'},
           {'key': 'prepared',
            'kind': 'likert',
            'label_sv': 'Skolan hade förberett mig bra',
            'label_en': 'I was well prepared by my school'},
           {'key': 'recommend',
            'kind': 'likert',
            'label_sv': 'Jag skulle rekommendera arbetsplatsen till en kompis',
            'label_en': 'I would recommend this workplace to a friend'},
           {'key': 'imagine_sector',
            'kind': 'likert',
            'label_sv': 'Jag kan tänka mig att jobba i den här branschen',
            'label_en': 'I could imagine working in this sector'},
           {'key': 'comment',
            'kind': 'text',
            'label_sv': 'Vill du berätta något mer?',
            'label_en': 'Anything else you want to tell us?'}],
 'employer': [{'key': 'punctuality',
               'kind': 'likert',
               'label_sv': 'Elevens punktlighet',
               'label_en': "The pupil's punctuality"},
              {'key': 'interest',
               'kind': 'likert',
               'label_sv': 'Elevens intresse',
               'label_en': "The pupil's interest"},
              {'key': 'initiative',
               'kind': 'likert',
               'label_sv': 'Elevens initiativförmåga',
               'label_en': "The pupil's initiative"},
              {'key': 'cooperation',
               'kind': 'likert',
               'label_sv': 'Elevens samarbetsförmåga',
               'label_en': "The pupil's cooperation"},
              {'key': 'school_preparation',
               'kind': 'likert',
               'label_sv': 'Skolans förberedelse av eleven',
               'label_en': "The school's preparation of the pupil"},
              {'key': 'school_contact',
               'kind': 'likert',
               'label_sv': 'Kontakten med skolan',
               'label_en': 'The contact with the school'},
              {'key': 'statement',
               'kind': 'text',
               'label_sv': 'Ett kort omdöme till elevens praointyg (frivilligt)',
               'label_en': "A short statement for the pupil's certificate (optional)"},
              {'key': 'again_next_term',
               'kind': 'yesno',
               'label_sv': 'Vill ni ta emot praoelever igen nästa termin?',
               'label_en': 'Will you take prao pupils again next term?'}]}


def upgrade():
    op.create_table('feedback_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('pupil', 'employer', name='audience', native_enum=False, length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_feedback_form_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_form')),
    sa.UniqueConstraint('audience', 'version', name='uq_feedback_form_audience_version')
    )
    op.create_table('feedback_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('pupil', 'employer', name='audience', native_enum=False, length=20), nullable=False),
    sa.Column('day_number', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_feedback_reminder_assignment_id_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_reminder')),
    sa.UniqueConstraint('assignment_id', 'audience', 'day_number', name='uq_feedback_reminder_assignment_audience_day_number')
    )
    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('pupil', 'employer', name='audience', native_enum=False, length=20), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_label', sa.String(length=200), nullable=False),
    sa.Column('statement', sa.Text(), server_default='', nullable=False),
    sa.Column('again_next_term', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_feedback_response_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['form_id'], ['feedback_form.id'], name=op.f('fk_feedback_response_form_id_feedback_form')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_feedback_response_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response')),
    sa.UniqueConstraint('assignment_id', 'audience', name='uq_feedback_response_assignment_audience')
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_form_id'), ['form_id'], unique=False)

    op.create_table('feedback_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('score IS NULL OR (score >= 1 AND score <= 5)', name=op.f('ck_feedback_answer_score_1_to_5')),
    sa.ForeignKeyConstraint(['response_id'], ['feedback_response.id'], name=op.f('fk_feedback_answer_response_id_feedback_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_answer')),
    sa.UniqueConstraint('response_id', 'question_key', name='uq_feedback_answer_response_question_key')
    )
    form = sa.table('feedback_form', sa.column('audience', sa.String), sa.column('version', sa.Integer),
                    sa.column('questions', sa.JSON), sa.column('created_at', sa.DateTime(timezone=True)))
    op.bulk_insert(form, [{'audience': audience, 'version': 1, 'questions': questions,
                           'created_at': datetime.now(UTC)}
                          for audience, questions in FIRST_VERSION.items()])


def downgrade():
    op.drop_table('feedback_answer')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_response_form_id'))

    op.drop_table('feedback_response')
    op.drop_table('feedback_reminder')
    op.drop_table('feedback_form')
