"""enrolment.own_refusal: why the counsellor did not approve the pupil's own placement

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-30 22:00:00

The counsellor writes a reason when an own placement is not approved; it was kept only in
the audit log (and on an archived placement), so the pupil, sent back to choose, was never
told why. The pupil's page now shows it.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enrolment", sa.Column("own_refusal", sa.Text(), nullable=False,
                                         server_default=""))


def downgrade() -> None:
    op.drop_column("enrolment", "own_refusal")
