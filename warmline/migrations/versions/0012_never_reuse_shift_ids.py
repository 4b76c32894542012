"""Never give a new shift the id of one cancelled: AUTOINCREMENT for shifts on SQLite.

PostgreSQL's sequences never hand an id out twice, so only SQLite's table changes: it is
rebuilt with AUTOINCREMENT, which keeps the rows, their ids and the indexes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_shifts(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "shifts", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild_shifts(autoincrement=True)


def downgrade() -> None:
    _rebuild_shifts(autoincrement=False)
