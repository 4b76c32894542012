"""Schema migrations with Alembic, run from the command line or the release phase."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from warmline.db import database_url


def alembic_config(raw_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "warmline:migrations")
    config.attributes["database_url"] = raw_url
    return config


def upgrade(raw_url: str, revision: str = "head") -> None:
    """Bring the database's schema up to `revision`."""
    command.upgrade(alembic_config(raw_url), revision)


def downgrade(raw_url: str, revision: str) -> None:
    """Take the database's schema back to `revision`."""
    command.downgrade(alembic_config(raw_url), revision)


def is_current(raw_url: str) -> bool:
    """Return whether the database is at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config(raw_url)).get_current_head()
    engine = create_engine(database_url(raw_url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return current == head
