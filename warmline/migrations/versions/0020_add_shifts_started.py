"""Add the durable record of shifts started, which a Redis that lost its data is rebuilt from.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shifts_started",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lines.id"],
            name=op.f("fk_shifts_started_line_id_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_shifts_started_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts_started")),
        sa.UniqueConstraint("line_id", "user_id", name="uq_shifts_started_pair"),
    )
    op.create_index(op.f("ix_shifts_started_user_id"), "shifts_started", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_shifts_started_user_id"), table_name="shifts_started")
    op.drop_table("shifts_started")
