"""Add the coordinator console: line coordinators, shift patterns, calendar feeds, minimums.

Who coordinates which line, weekly shift patterns expanded into shifts, the hashed
tokens of calendar feeds, and each line's minimum staffing per open hour.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "line_coordinators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lines.id"],
            name=op.f("fk_line_coordinators_line_id_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_line_coordinators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_coordinators")),
        sa.UniqueConstraint("line_id", "user_id", name="uq_line_coordinators_pair"),
    )
    op.create_index(
        op.f("ix_line_coordinators_user_id"), "line_coordinators", ["user_id"], unique=False
    )
    op.create_table(
        "shift_patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_shift_patterns_weekday")),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lines.id"],
            name=op.f("fk_shift_patterns_line_id_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_shift_patterns_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_patterns")),
    )
    op.create_index("ix_shift_patterns_line", "shift_patterns", ["line_id"], unique=False)
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_specialists", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pattern_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurrence", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_shifts_pattern_id_shift_patterns"),
            "shift_patterns",
            ["pattern_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            "uq_shifts_pattern_occurrence", ["pattern_id", "occurrence"]
        )


def downgrade() -> None:
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_shifts_pattern_occurrence", type_="unique")
        batch_op.drop_constraint("fk_shifts_pattern_id_shift_patterns", type_="foreignkey")
        batch_op.drop_column("occurrence")
        batch_op.drop_column("pattern_id")
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_column("min_specialists")
    op.drop_table("calendar_feeds")
    op.drop_index("ix_shift_patterns_line", table_name="shift_patterns")
    op.drop_table("shift_patterns")
    op.drop_index(op.f("ix_line_coordinators_user_id"), table_name="line_coordinators")
    op.drop_table("line_coordinators")
