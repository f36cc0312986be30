"""write rules: one period per grade and first day, a placement form's one-time token,
requests to confirm a pupil's own placement at a known organisation, and offers that keep
the wishes and results naming them (ON DELETE RESTRICT)

Revision ID: 0012
Revises: 0005
Create Date: 2026-11-28 05:00:00

Unique indexes rather than unique constraints, so SQLite adds them without rebuilding the
table (a rebuild of `placement` would drop its search triggers, see 0004). The foreign keys
of `wish` and `match_result` are rebuilt on SQLite: no table refers to either, so dropping
the old copy deletes nothing else. `assignment.offer_id` keeps its default rule (NO ACTION,
which refuses the delete as well): on SQLite a rebuild of `assignment` would take the rows of
every table that refers to it with ON DELETE CASCADE along.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None

OFFER_REFERENCES = ('wish', 'match_result')


def upgrade():
    op.create_table('own_placement_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'declined', 'withdrawn', name='ownplacementstatus', native_enum=False, length=20), nullable=False),
    sa.Column('workplace', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=6), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_own_placement_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_own_placement_request_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_own_placement_request_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_own_placement_request_placement_id_placement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_own_placement_request')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_own_placement_request_enrolment_id'))
    )
    op.create_index(op.f('ix_own_placement_request_organisation_id'), 'own_placement_request', ['organisation_id'], unique=False)

    op.add_column('placement', sa.Column('form_token', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_placement_form_token'), 'placement', ['form_token'], unique=True)
    op.create_index('uq_prao_period_school_grade_first_day', 'prao_period', ['school_id', 'grade', 'first_day'], unique=True)

    for table in OFFER_REFERENCES:
        # SQLite rebuilds the table; its neighbours need not be reflected (and cannot all be).
        with op.batch_alter_table(table, schema=None,
                                  reflect_kwargs={'resolve_fks': False}) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_offer_id_placement_offer', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_offer_id_placement_offer', 'placement_offer', ['offer_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    for table in OFFER_REFERENCES:
        # SQLite rebuilds the table; its neighbours need not be reflected (and cannot all be).
        with op.batch_alter_table(table, schema=None,
                                  reflect_kwargs={'resolve_fks': False}) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_offer_id_placement_offer', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_offer_id_placement_offer', 'placement_offer', ['offer_id'], ['id'])

    op.drop_index('uq_prao_period_school_grade_first_day', table_name='prao_period')
    op.drop_index(op.f('ix_placement_form_token'), table_name='placement')
    op.drop_column('placement', 'form_token')

    op.drop_index(op.f('ix_own_placement_request_organisation_id'), table_name='own_placement_request')
    op.drop_table('own_placement_request')
