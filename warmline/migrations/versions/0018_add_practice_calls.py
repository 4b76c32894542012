"""Add practice calls for training: specialists in training, practice contacts, debriefs.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_training", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("practice", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "practice_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("trainee_id", sa.Integer(), nullable=True),
        sa.Column("scenario", sa.String(length=40), nullable=False),
        sa.Column("caller_tag", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("debrief", sa.JSON(), nullable=False),
        sa.Column("debriefed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_practice_calls_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["lines.id"],
            name=op.f("fk_practice_calls_line_id_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["users.id"],
            name=op.f("fk_practice_calls_trainee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["users.id"],
            name=op.f("fk_practice_calls_trainer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_calls")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_practice_calls_contact_id")),
    )
    op.create_index(
        "ix_practice_calls_waiting",
        "practice_calls",
        ["line_id", "caller_tag", "expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_practice_calls_waiting", table_name="practice_calls")
    op.drop_table("practice_calls")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("practice")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("in_training")
