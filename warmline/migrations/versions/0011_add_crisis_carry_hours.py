"""Add how long a crisis flag carries over to the same caller tag's next contact.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("crisis_carry_hours", sa.Integer(), nullable=False, server_default="24")
        )
        batch_op.create_check_constraint(
            op.f("ck_lines_crisis_carry"), "crisis_carry_hours BETWEEN 0 AND 168"
        )


def downgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lines_crisis_carry"), type_="check")
        batch_op.drop_column("crisis_carry_hours")
