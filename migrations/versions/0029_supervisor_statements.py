"""the supervisor's evaluation asks statements, like the pupil's: a new version of its
questions

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 10:00:00

Version 1 of the supervisor's questions named qualities ("Elevens punktlighet") under the
scale both forms share, "1 = stämmer inte alls … 5 = stämmer helt", which answers a
statement. The questions are versioned data: this adds a new version of the newest one in
which every question still worded as version 1 was becomes the statement with the same key
(same meaning, so averages over both versions still compare). A question the coordinator
has reworded, added or removed is kept as they left it; answers keep pointing at the
version they answered, and are shown with its wording.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

# key: ((version 1 in Swedish, in English), (the statement in Swedish, in English)),
# copied here as data: a later edit of the portal's defaults must not change this.
REWORDED = {
    'punctuality': (('Elevens punktlighet', "The pupil's punctuality"),
                    ('Eleven kom i tid', 'The pupil was on time')),
    'interest': (('Elevens intresse', "The pupil's interest"),
                 ('Eleven visade intresse för arbetet', 'The pupil showed interest in the work')),
    'initiative': (('Elevens initiativförmåga', "The pupil's initiative"),
                   ('Eleven tog egna initiativ', 'The pupil took initiative')),
    'cooperation': (('Elevens samarbetsförmåga', "The pupil's cooperation"),
                    ('Eleven samarbetade bra med oss', 'The pupil worked well with us')),
    'school_preparation': (('Skolans förberedelse av eleven',
                            "The school's preparation of the pupil"),
                           ('Skolan hade förberett eleven bra',
                            'The school had prepared the pupil well')),
    'school_contact': (('Kontakten med skolan', 'The contact with the school'),
                       ('Kontakten med skolan fungerade bra',
                        'The contact with the school worked well')),
}

form = sa.table('feedback_form', sa.column('id', sa.Integer), sa.column('audience', sa.String),
                sa.column('version', sa.Integer), sa.column('questions', sa.JSON),
                sa.column('created_at', sa.DateTime(timezone=True)),
                sa.column('created_by_id', sa.Integer))
response = sa.table('feedback_response', sa.column('form_id', sa.Integer))


def _reworded(question):
    old, new = REWORDED.get(question.get('key'), ((None, None), (None, None)))
    if question.get('kind') != 'likert':
        return question
    changed = dict(question)
    for lang, was, now in (('sv', old[0], new[0]), ('en', old[1], new[1])):
        if was is not None and question.get(f'label_{lang}') == was:
            changed[f'label_{lang}'] = now
    return changed


def upgrade():
    connection = op.get_bind()
    latest = connection.execute(
        sa.select(form.c.version, form.c.questions).where(form.c.audience == 'employer')
        .order_by(form.c.version.desc()).limit(1)).first()
    if latest is None:  # the portal makes its current version on first use
        return
    questions = [_reworded(question) for question in latest.questions]
    if questions == latest.questions:  # the coordinator has reworded them all already
        return
    op.bulk_insert(form, [{'audience': 'employer', 'version': latest.version + 1,
                           'questions': questions, 'created_at': datetime.now(UTC)}])


def downgrade():
    # The version this added (nobody created it) goes, unless someone answered it: answers
    # keep the version they answered.
    connection = op.get_bind()
    added = connection.execute(
        sa.select(form.c.id, form.c.questions).where(
            form.c.audience == 'employer', form.c.version > 1, form.c.created_by_id.is_(None),
            ~sa.exists().where(response.c.form_id == form.c.id))).all()
    for row in added:
        if any(q.get('label_sv') == REWORDED[q['key']][1][0] for q in row.questions
               if q.get('key') in REWORDED):
            connection.execute(sa.delete(form).where(form.c.id == row.id))
