"""The migration that records which lines specialists serve fills it in from the roster."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import MetaData, Table, create_engine, insert, pool, select

from warmline import migrate
from warmline.db import database_url
from warmline.models import Line, Shift, ShiftPattern

BEFORE = "0009"


def _person(connection, users: Table, name: str) -> int:
    return connection.execute(
        insert(users).values(
            email=f"{name}@example.org",
            display_name=name,
            role="specialist",
            password_hash="not a real hash",
            languages=["en"],
            active=True,
            created_at=datetime(2026, 1, 1),
        )
    ).inserted_primary_key[0]


def _lines_table_then(connection) -> Table:
    """The model's lines table (its defaults too) with only the columns the database has yet."""
    present = set(Table("lines", MetaData(), autoload_with=connection).c.keys())
    columns = [column._copy() for column in Line.__table__.columns if column.name in present]
    return Table("lines", MetaData(), *columns)


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_whoever_has_a_shift_or_a_pattern_on_a_line_serves_it(db_url):
    migrate.upgrade(db_url, BEFORE)
    engine = create_engine(database_url(db_url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        users = Table("users", MetaData(), autoload_with=connection)
        lines_then = _lines_table_then(connection)
        lines = [
            connection.execute(
                insert(lines_then).values(name=name, twilio_number=number)
            ).inserted_primary_key[0]
            for name, number in (("A", "+15017122661"), ("B", "+15017122662"))
        ]
        ana, bo, cy = (_person(connection, users, name) for name in ("ana", "bo", "cy"))
        start = datetime(2026, 6, 1, 18, tzinfo=UTC)
        for line_id, user_id in ((lines[0], ana), (lines[0], ana), (lines[1], ana)):
            connection.execute(
                insert(Shift.__table__).values(
                    line_id=line_id,
                    user_id=user_id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=4),
                )
            )
            start += timedelta(days=1)
        connection.execute(
            insert(ShiftPattern.__table__).values(
                line_id=lines[1],
                user_id=bo,
                weekday=0,
                start_time="18:00",
                end_time="22:00",
                starts_on=date(2026, 6, 1),
            )
        )
    migrate.upgrade(db_url)
    with engine.connect() as connection:
        served = Table("line_specialists", MetaData(), autoload_with=connection)
        pairs = connection.execute(select(served.c.line_id, served.c.user_id)).all()
        flags = connection.execute(
            select(Table("users", MetaData(), autoload_with=connection).c.must_choose_password)
        ).scalars()
        assert sorted(pairs) == sorted([(lines[0], ana), (lines[1], ana), (lines[1], bo)])
        assert cy not in {user for _, user in pairs}
        assert set(flags) == {False}
    engine.dispose()
