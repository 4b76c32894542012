"""The migration that keeps each person's interface language leaves everyone on their browser's."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import MetaData, Table, create_engine, insert, pool, select, update

from warmline import migrate
from warmline.db import database_url

BEFORE = "0012"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_people_from_before_have_not_chosen_and_can_choose_then_go_back(db_url):
    migrate.upgrade(db_url, BEFORE)
    engine = create_engine(database_url(db_url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        users = Table("users", MetaData(), autoload_with=connection)
        ana = connection.execute(
            insert(users).values(
                email="ana@example.org",
                display_name="Ana",
                role="specialist",
                password_hash="not a real hash",
                languages=["en", "es"],
                active=True,
                created_at=datetime(2026, 1, 1),
            )
        ).inserted_primary_key[0]

    migrate.upgrade(db_url)
    with engine.begin() as connection:
        users = Table("users", MetaData(), autoload_with=connection)
        assert connection.execute(select(users.c.interface_language)).scalar_one() is None
        connection.execute(update(users).where(users.c.id == ana).values(interface_language="es"))
        assert connection.execute(select(users.c.interface_language)).scalar_one() == "es"

    migrate.downgrade(db_url, BEFORE)
    with engine.connect() as connection:
        users = Table("users", MetaData(), autoload_with=connection)
        assert "interface_language" not in users.c
        assert connection.execute(select(users.c.display_name)).scalar_one() == "Ana"
    engine.dispose()
