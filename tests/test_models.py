"""The schema migrates on SQLite and PostgreSQL alike, and the models refuse what they must."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool
from sqlalchemy.exc import IntegrityError

from tests.factories import make_line
from warmline import migrate, wording
from warmline.db import database_url
from warmline.models import Base, Contact, Line, Shift, User
from warmline.people import add_user

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_migrations_build_exactly_the_models_schema(db_url):
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)  # a second release run finds nothing to do
    assert migrate.is_current(db_url)
    engine = create_engine(database_url(db_url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert {"lines", "users", "shifts", "contacts", "wrap_ups", "blocks", "audit_events"} <= tables
    assert differences == []


@BOTH
def test_migrations_run_down_and_up_again(db_url):
    migrate.upgrade(db_url)
    migrate.downgrade(db_url, "base")
    assert not migrate.is_current(db_url)
    migrate.upgrade(db_url)
    assert migrate.is_current(db_url)


def test_contact_refuses_anything_outside_the_whitelist():
    with pytest.raises(TypeError):
        Contact(line_id=1, channel="voice", from_number="+14155550123")


@pytest.mark.parametrize("not_a_tag", ["+14155550123", "4155550123", "a" * 63, "Z" * 64])
def test_contact_caller_tag_must_be_an_hmac(not_a_tag):
    with pytest.raises(ValueError, match="never a number"):
        Contact(line_id=1, channel="voice", caller_tag=not_a_tag)


def test_crisis_flag_never_clears_itself():
    contact = Contact(line_id=1, channel="sms", crisis_tier=2)
    contact.crisis_tier = 0
    assert contact.crisis_tier == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("twilio_number", "not a number"),
        ("timezone", "Mars/Olympus_Mons"),
        ("languages", []),
        ("languages", ["english"]),
        ("languages", ["en", "fr"]),
        ("opening_hours", {"funday": [["09:00", "17:00"]]}),
        ("opening_hours", {"mon": [["17:00", "09:00"]]}),
        ("crisis_number", "12"),
    ],
)
def test_line_refuses_bad_settings(field, value):
    line = Line(name="x", twilio_number="+15017122661")
    with pytest.raises(ValueError):
        setattr(line, field, value)


def test_a_line_answers_only_in_languages_config_has_scripts_for(edited_scripts):
    line = Line(name="x", twilio_number="+15017122661")
    with pytest.raises(ValueError, match="there are no scripts in 'fr'"):
        line.languages = ["en", "fr"]
    shipped = wording.documents()
    edited_scripts(lambda: {**shipped, "fr": {**shipped["es"], "language": "fr"}})
    line.languages = ["en", "fr"]
    assert line.languages == ["en", "fr"]


def test_a_specialist_may_speak_a_language_the_line_does_not_answer_in():
    assert User(email="a@example.org", languages=["fr", "en"]).languages == ["fr", "en"]


def test_specialist_phone_is_stored_in_e164():
    user = User(email="Ana@Example.org", display_name="Ana", password_hash="x")
    user.phone = "(415) 555-0123"
    assert user.phone == "+14155550123"
    assert user.email == "ana@example.org"


@BOTH
def test_database_refuses_a_shift_that_ends_before_it_starts(app, session):
    line = make_line(session)
    user = add_user(session, email="ana@example.org", display_name="Ana", password="long enough pw")
    start = datetime(2026, 11, 21, 18, tzinfo=UTC)
    session.add(Shift(line=line, user=user, starts_at=start, ends_at=start - timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        session.commit()


@BOTH
def test_times_come_back_aware_in_utc(app, session):
    line = make_line(session)
    session.expire_all()
    assert session.get(Line, line.id).created_at.tzinfo is UTC
