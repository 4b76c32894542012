"""An operator stands a line up from the command line before the console exists."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import unreadable_scripts
from warmline import migrate
from warmline.cli import main
from warmline.db import create_db_engine, session_factory
from warmline.models import AuditEvent, Line, Role, Shift, User
from warmline.people import verify_password

PASSWORD = "correct horse battery"


@pytest.fixture
def operator(settings, monkeypatch):
    """Run `warmline ...` with the test's database and instance in the environment."""
    monkeypatch.setenv("WARMLINE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WARMLINE_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("WARMLINE_INSTANCE_PATH", str(settings.instance_path))
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def db(settings):
    engine = create_db_engine(settings.database_url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def stand_up(operator) -> None:
    assert operator("db", "upgrade").exit_code == 0
    added = operator(
        "line",
        "add",
        "--name",
        "Riverside Warm Line",
        "--number",
        "(501) 712-2661",
        "--timezone",
        "America/Chicago",
        "--language",
        "en",
        "--language",
        "es",
        "--overflow-number",
        "+15017120000",
        "--hours",
        "17:00-23:00",
    )
    assert added.exit_code == 0, added.output
    user = operator(
        "user",
        "add",
        "--email",
        "Ana@Example.org",
        "--name",
        "Ana",
        "--phone",
        "415 555 0123",
        "--language",
        "es",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert user.exit_code == 0, user.output


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_operator_stands_up_a_line_with_a_rostered_specialist(operator, db):
    stand_up(operator)
    shift = operator(
        "shift",
        "add",
        "--line",
        "+15017122661",
        "--user",
        "ana@example.org",
        "--start",
        "2026-11-21 18:00",
        "--end",
        "2026-11-21 22:00",
    )
    assert shift.exit_code == 0, shift.output
    assert "2026-11-21 18:00 CST to 2026-11-21 22:00 CST" in shift.output
    assert "Ana is now one of Riverside Warm Line's specialists." in shift.output

    line = db.scalars(select(Line)).one()
    assert line.twilio_number == "+15017122661"
    assert line.languages == ["en", "es"]
    assert line.opening_hours["sat"] == [["17:00", "23:00"]]
    ana = db.scalars(select(User)).one()
    assert ana.role is Role.SPECIALIST
    assert ana.phone == "+14155550123"
    assert verify_password(ana, PASSWORD)
    assert PASSWORD not in ana.password_hash
    rostered = db.scalars(select(Shift)).one()
    assert rostered.starts_at.hour == 0  # 18:00 in Chicago is midnight UTC in November
    actions = [event.action for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    # The operator acts as administrator: rostering Ana on the line makes her its specialist.
    assert actions == ["line.add", "user.add", "user.lines", "shift.add"]


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("line", "add", "--name", "Dup", "--number", "+15017122661"), "already answers"),
        (("line", "add", "--name", "X", "--number", "12345"), "not a valid phone number"),
        (
            (
                "line",
                "add",
                "--name",
                "X",
                "--number",
                "+15017122662",
                "--timezone",
                "Nowhere/Here",
            ),
            "unknown timezone",
        ),
        (
            ("line", "add", "--name", "X", "--number", "+15017122662", "--ring-timeout", "1"),
            "--ring-timeout",
        ),
        (
            (
                "shift",
                "add",
                "--line",
                "+15017122661",
                "--user",
                "ana@example.org",
                "--start",
                "2026-11-21 22:00",
                "--end",
                "2026-11-21 18:00",
            ),
            "end after it starts",
        ),
        (
            (
                "shift",
                "add",
                "--line",
                "+15017122661",
                "--user",
                "ana@example.org",
                "--start",
                "tonight",
                "--end",
                "2026-11-21 18:00",
            ),
            "is not 'YYYY-MM-DD HH:MM'",
        ),
        (
            (
                "shift",
                "add",
                "--line",
                "+15017129999",
                "--user",
                "ana@example.org",
                "--start",
                "2026-11-21 18:00",
                "--end",
                "2026-11-21 22:00",
            ),
            "no line answers",
        ),
        (
            (
                "shift",
                "add",
                "--line",
                "+15017122661",
                "--user",
                "bo@example.org",
                "--start",
                "2026-11-21 18:00",
                "--end",
                "2026-11-21 22:00",
            ),
            "no user has that email",
        ),
        (("twilio", "check", "--line", "+15017120000"), "no line answers that number"),
        (("twilio", "check", "--line", "+15017122661", "--wait", "5"), "5 is not in the range"),
    ],
)
def test_operator_mistakes_get_one_clear_line(operator, args, complaint):
    stand_up(operator)
    result = operator(*args)
    assert result.exit_code != 0
    assert complaint in result.output
    assert "Traceback" not in result.output


def test_weak_password_and_duplicate_user_are_refused(operator):
    stand_up(operator)
    weak = operator(
        "user", "add", "--email", "bo@example.org", "--name", "Bo", "--password", "short"
    )
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    again = operator(
        "user", "add", "--email", "ANA@example.org", "--name", "Ana 2", "--password", PASSWORD
    )
    assert again.exit_code != 0 and "already signs in" in again.output
    nameless = operator(
        "user", "add", "--email", "cy@example.org", "--name", "  ", "--password", PASSWORD
    )
    assert nameless.exit_code != 0 and "Traceback" not in nameless.output
    assert "name" in nameless.output.lower()


def test_commands_refuse_words_that_cannot_be_read_in_one_line(operator, edited_scripts):
    edited_scripts(unreadable_scripts)
    result = operator("db", "upgrade")
    assert result.exit_code != 0
    assert "config/scripts cannot be read" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("db", "upgrade"),
        ("line", "add"),
        ("user", "add"),
        ("shift", "add"),
        ("worker",),
        ("run",),
        ("purge",),
        ("twilio", "check"),
    ],
)
def test_every_command_explains_itself(operator, command):
    result = operator(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_production_without_secrets_refuses_with_one_line(operator, monkeypatch):
    monkeypatch.setenv("WARMLINE_ENV", "production")
    result = operator("db", "upgrade")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: WARMLINE_SECRET_KEY must be set in production: at least 32 random characters"
    ]


def test_database_schema_is_current_after_upgrade(operator, settings):
    operator("db", "upgrade")
    assert migrate.is_current(settings.database_url)
