"""Add the feedback question: the line's survey settings and each contact's answers, as numbers.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("survey_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("survey_asks_return", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("survey_window_hours", sa.Integer(), nullable=False, server_default="24")
        )
        batch_op.create_check_constraint(
            op.f("ck_lines_survey_window"), "survey_window_hours BETWEEN 1 AND 72"
        )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_asked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("survey_helpful", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("survey_would_return", sa.Boolean(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_contacts_survey_helpful"), "survey_helpful BETWEEN 1 AND 5"
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contacts_survey_helpful"), type_="check")
        batch_op.drop_column("survey_would_return")
        batch_op.drop_column("survey_helpful")
        batch_op.drop_column("survey_asked_at")
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lines_survey_window"), type_="check")
        batch_op.drop_column("survey_window_hours")
        batch_op.drop_column("survey_asks_return")
        batch_op.drop_column("survey_enabled")
