"""report_year_claim: one jobs runner computes a school year's reports at a time

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-30 14:00:00

On the national data set a school year's reports take minutes to compute, and `flask jobs
run` starts every minute on every app server: without a claim each run started the same
computation again beside the ones still running.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_year_claim",
        sa.Column("school_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("school_year", name=op.f("pk_report_year_claim")),
    )


def downgrade() -> None:
    op.drop_table("report_year_claim")
