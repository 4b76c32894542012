"""Add a line's recovery breaks: their length, the long-call threshold, the contacts-in-a-row cap.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("recovery_seconds", "300", "recovery", "recovery_seconds BETWEEN 0 AND 3600"),
    ("long_call_minutes", "45", "long_call", "long_call_minutes BETWEEN 0 AND 240"),
    (
        "contacts_before_break",
        "0",
        "contacts_before_break",
        "contacts_before_break BETWEEN 0 AND 50",
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        for column, default, check, condition in COLUMNS:
            batch_op.add_column(
                sa.Column(column, sa.Integer(), nullable=False, server_default=default)
            )
            batch_op.create_check_constraint(op.f(f"ck_lines_{check}"), condition)


def downgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        for column, _default, check, _condition in COLUMNS:
            batch_op.drop_constraint(op.f(f"ck_lines_{check}"), type_="check")
            batch_op.drop_column(column)
