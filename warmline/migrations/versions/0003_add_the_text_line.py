"""Add what the text line needs: its timers, texts during calls, and opt-outs by caller tag.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("texts_during_calls", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("text_inactivity_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column("text_reminder_minutes", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.create_check_constraint(
            op.f("ck_lines_text_inactivity"), "text_inactivity_minutes BETWEEN 5 AND 1440"
        )
        batch_op.create_check_constraint(
            op.f("ck_lines_text_reminder"), "text_reminder_minutes BETWEEN 1 AND 120"
        )

    op.create_table(
        "text_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("caller_tag", sa.String(length=64), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lines.id"],
            name=op.f("fk_text_opt_outs_line_id_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_opt_outs")),
        sa.UniqueConstraint("line_id", "caller_tag", name=op.f("uq_text_opt_outs_line_id")),
    )


def downgrade() -> None:
    op.drop_table("text_opt_outs")
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lines_text_reminder"), type_="check")
        batch_op.drop_constraint(op.f("ck_lines_text_inactivity"), type_="check")
        batch_op.drop_column("text_reminder_minutes")
        batch_op.drop_column("text_inactivity_minutes")
        batch_op.drop_column("texts_during_calls")
