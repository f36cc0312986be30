"""switched-off staff accounts are purged after the retention time

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 07:10:00

The coordinator switches an account off when its person leaves; `deactivated_at` says when,
and `flask retention purge` blanks the account's name, address, phone and password that
many months later (`purged_at`), keeping the row that other records point to.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (SQLite has it): a batch copy of the table would lose the
    # expression index on lower(email).
    op.add_column('user_account', sa.Column('deactivated_at', sa.DateTime(timezone=True),
                                            nullable=True))
    op.add_column('user_account', sa.Column('purged_at', sa.DateTime(timezone=True),
                                            nullable=True))


def downgrade():
    op.drop_column('user_account', 'purged_at')
    op.drop_column('user_account', 'deactivated_at')
