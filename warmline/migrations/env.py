"""Alembic environment: migrate the database named by the caller, SQLite or PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from warmline.db import database_url
from warmline.models import Base

# Any fixed number: it only has to be the same for every process that migrates.
MIGRATION_LOCK_ID = 74_656_270


def run_migrations_online() -> None:
    url = database_url(context.config.attributes["database_url"])
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several hosts may release at once; one migrates, the others wait and find it done.
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"))
            context.run_migrations()
    engine.dispose()


run_migrations_online()
