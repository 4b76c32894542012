"""The migration that stops SQLite reusing shift ids keeps every shift, id and all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, Table, create_engine, delete, insert, pool, select

from tests.test_line_specialists_migration import _lines_table_then, _person
from warmline import migrate
from warmline.db import database_url

BEFORE = "0011"


def _shift(connection, shifts: Table, line_id: int, user_id: int, day: int) -> int:
    start = datetime(2026, 6, day, 18, tzinfo=UTC).replace(tzinfo=None)
    return connection.execute(
        insert(shifts).values(
            line_id=line_id,
            user_id=user_id,
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            created_at=start,
        )
    ).inserted_primary_key[0]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_shifts_keep_their_ids_and_a_cancelled_ones_id_is_never_given_again(db_url):
    migrate.upgrade(db_url, BEFORE)
    engine = create_engine(database_url(db_url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        line_id = connection.execute(
            insert(_lines_table_then(connection)).values(name="A", twilio_number="+15017122661")
        ).inserted_primary_key[0]
        ana = _person(connection, Table("users", MetaData(), autoload_with=connection), "ana")
        shifts = Table("shifts", MetaData(), autoload_with=connection)
        kept = [_shift(connection, shifts, line_id, ana, day) for day in (1, 2, 3)]
    migrate.upgrade(db_url)
    with engine.begin() as connection:
        shifts = Table("shifts", MetaData(), autoload_with=connection)
        rows = connection.execute(select(shifts.c.id, shifts.c.starts_at).order_by(shifts.c.id))
        assert [(id_, start.day) for id_, start in rows] == list(zip(kept, (1, 2, 3), strict=True))
        connection.execute(delete(shifts).where(shifts.c.id == kept[-1]))
        again = _shift(connection, shifts, line_id, ana, 4)
    engine.dispose()
    assert again > kept[-1]
