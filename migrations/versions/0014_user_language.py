"""the language a user's emails are written in

Revision ID: 0014
Revises: 0009
Create Date: 2026-11-28 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0008'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both engines: SQLite adds a column with a constant default in place,
# and a batch rebuild would have to reflect the table's expression index on lower(email).

def upgrade():
    op.add_column('user_account', sa.Column('language', sa.String(length=5),
                                            server_default='sv', nullable=False))


def downgrade():
    op.drop_column('user_account', 'language')
