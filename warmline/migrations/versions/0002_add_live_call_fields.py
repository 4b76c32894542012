"""Add what live calls need: call SID, total time, speech and hold audio; outcome names.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The first outcome names, renamed to the words the reports use.
RENAMED_OUTCOMES = {
    "connected": "answered",
    "over_limit": "limited",
    "line_closed": "after_hours",
    "crisis_referral": "crisis_referred",
}


def _rename_outcomes(names: dict[str, str]) -> None:
    contacts = sa.table("contacts", sa.column("outcome", sa.String))
    for old, new in names.items():
        op.execute(contacts.update().where(contacts.c.outcome == old).values(outcome=new))


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("total_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("call_sid", sa.String(length=34), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_contacts_call_sid"), ["call_sid"])

    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("speech_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("hold_music_url", sa.String(length=500), nullable=True))

    _rename_outcomes(RENAMED_OUTCOMES)


def downgrade() -> None:
    _rename_outcomes({new: old for old, new in RENAMED_OUTCOMES.items()})
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_column("hold_music_url")
        batch_op.drop_column("speech_enabled")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_contacts_call_sid"), type_="unique")
        batch_op.drop_column("call_sid")
        batch_op.drop_column("total_seconds")
