"""a round names its last step; explanations are stored as a code with parameters

matching_run.second_round (true/false) becomes matching_run.last_step ('first'/'second').
match_result.explanation, Swedish text, becomes JSON {"code": ..., "params": {...}}: rows
stored before keep their Swedish words under the code "text".

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STEP = sa.Enum('first', 'second', name='step', native_enum=False, length=20)

# Only ALTER TABLE ... ADD / DROP / RENAME COLUMN, no batch rebuild: rebuilding matching_run on
# SQLite would drop the table under its results, and the cascade would delete them.


def upgrade():
    # The server default is the old column's default, for a row written by an older app.
    op.add_column('matching_run', sa.Column('last_step', STEP, nullable=False,
                                            server_default='second'))
    op.execute("UPDATE matching_run SET last_step = CASE WHEN second_round "
               "THEN 'second' ELSE 'first' END")
    op.execute("ALTER TABLE matching_run DROP COLUMN second_round")

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE match_result ALTER COLUMN explanation TYPE JSON USING "
                   "json_build_object('code', 'text', 'params', "
                   "json_build_object('text', explanation))")
    else:
        _replace_explanation(sa.JSON(), "'{}'", "json_object('code', 'text', 'params', "
                             "json_object('text', explanation))")


def downgrade():
    # Coded explanations cannot be put back into words here: the way down keeps the words
    # of rows stored as text and leaves the others empty.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE match_result ALTER COLUMN explanation TYPE TEXT USING "
                   "CASE WHEN explanation->>'code' = 'text' "
                   "THEN explanation->'params'->>'text' ELSE '' END")
    else:
        _replace_explanation(sa.Text(), "''", "CASE WHEN json_extract(explanation, '$.code') "
                             "= 'text' THEN json_extract(explanation, '$.params.text') "
                             "ELSE '' END")

    op.add_column('matching_run', sa.Column('second_round', sa.Boolean(), nullable=False,
                                            server_default=sa.true()))
    op.execute("UPDATE matching_run SET second_round = (last_step = 'second')")
    op.execute("ALTER TABLE matching_run DROP COLUMN last_step")


def _replace_explanation(type_, default, value):
    """SQLite: a column's declared type cannot change, so a new column takes its place."""
    op.add_column('match_result', sa.Column('explanation_new', type_, nullable=False,
                                            server_default=sa.text(default)))
    op.execute(f"UPDATE match_result SET explanation_new = {value}")
    op.execute("ALTER TABLE match_result DROP COLUMN explanation")
    op.execute("ALTER TABLE match_result RENAME COLUMN explanation_new TO explanation")
