"""Add queued callbacks: a line's switch, cap and retry wait; a contact's request and tries.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("callbacks_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("max_pending_callbacks", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(
            sa.Column("callback_retry_seconds", sa.Integer(), nullable=False, server_default="180")
        )
        batch_op.create_check_constraint(
            op.f("ck_lines_max_pending_callbacks"), "max_pending_callbacks BETWEEN 1 AND 100"
        )
        batch_op.create_check_constraint(
            op.f("ck_lines_callback_retry"), "callback_retry_seconds BETWEEN 10 AND 3600"
        )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_requested_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("callback_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("callback_attempts")
        batch_op.drop_column("callback_requested_at")
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lines_callback_retry"), type_="check")
        batch_op.drop_constraint(op.f("ck_lines_max_pending_callbacks"), type_="check")
        batch_op.drop_column("callback_retry_seconds")
        batch_op.drop_column("max_pending_callbacks")
        batch_op.drop_column("callbacks_enabled")
