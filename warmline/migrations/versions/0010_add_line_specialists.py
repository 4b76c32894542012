"""Record which lines each specialist serves, and who must choose a new password.

Backfilled from the roster: whoever has a shift or a weekly pattern on a line serves it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "line_specialists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lines.id"],
            name=op.f("fk_line_specialists_line_id_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_line_specialists_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_specialists")),
        sa.UniqueConstraint("line_id", "user_id", name="uq_line_specialists_pair"),
    )
    op.create_index(
        op.f("ix_line_specialists_user_id"), "line_specialists", ["user_id"], unique=False
    )
    op.execute(
        "INSERT INTO line_specialists (line_id, user_id, created_at) "
        "SELECT line_id, user_id, CURRENT_TIMESTAMP FROM "
        "(SELECT line_id, user_id FROM shifts UNION SELECT line_id, user_id FROM shift_patterns) "
        "AS rostered"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_choose_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_choose_password")
    op.drop_index(op.f("ix_line_specialists_user_id"), table_name="line_specialists")
    op.drop_table("line_specialists")
