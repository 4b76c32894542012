"""Add each line's wrap-up topics, the checkboxes a specialist ticks after a contact.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The topics every existing line starts with; coordinators edit them per line.
FIRST_TOPICS = [
    "loneliness",
    "anxiety or stress",
    "low mood",
    "relationships or family",
    "housing or money",
    "work or school",
    "substance use",
    "grief or loss",
    "physical health",
    "resources and referrals",
    "other",
]


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wrap_up_topics", sa.JSON(), nullable=True))
    lines = sa.table("lines", sa.column("wrap_up_topics", sa.JSON))
    op.execute(lines.update().values(wrap_up_topics=FIRST_TOPICS))
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.alter_column("wrap_up_topics", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_column("wrap_up_topics")
