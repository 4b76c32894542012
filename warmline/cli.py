"""The `warmline` command: run the line and stand it up from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.settings import Settings, SettingsError
from warmline import lines, migrate, people, roster
from warmline.crisis.cli import crisis
from warmline.crisis.scripts import WordingRefused, checked_wording
from warmline.db import create_db_engine, session_factory
from warmline.models import WEEKDAYS, Line, Role, RoutingStrategy


def load_settings() -> Settings:
    """Read the settings and check the line's words, refusing to go on with one clear line."""
    try:
        settings = Settings.from_env()
        checked_wording()
    except (SettingsError, WordingRefused) as error:
        raise click.ClickException(str(error)) from None
    return settings


@contextmanager
def operator_session() -> Iterator[Session]:
    """Open a session for one command, turning refusals into one clear line."""
    engine = create_db_engine(load_settings().database_url)
    try:
        with session_factory(engine)() as session:
            try:
                yield session
                session.commit()
            except (ValueError, IntegrityError) as error:
                session.rollback()
                message = str(error.orig) if isinstance(error, IntegrityError) else str(error)
                raise click.ClickException(message) from None
    finally:
        engine.dispose()


@click.group()
def main() -> None:
    """Run and administer a warm line."""


main.add_command(crisis)


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision.")
def db_upgrade(revision: str) -> None:
    """Migrate the database (SQLite or PostgreSQL) to the newest schema."""
    migrate.upgrade(load_settings().database_url, revision)
    click.echo("The database schema is up to date.")


@main.group()
def line() -> None:
    """Manage lines (Twilio numbers)."""


@line.command("add")
@click.option("--name", required=True, help="What callers hear, e.g. 'Riverside Warm Line'.")
@click.option("--number", required=True, help="The line's Twilio number, e.g. +15551230000.")
@click.option("--timezone", default="America/New_York", show_default=True)
@click.option("--language", "languages", multiple=True, default=["en"], show_default=True)
@click.option("--crisis-number", default="+18002738255", show_default=True)
@click.option("--overflow-number", default=None, help="Where callers go when nobody can answer.")
@click.option(
    "--strategy",
    type=click.Choice([s.value for s in RoutingStrategy]),
    default=RoutingStrategy.LONGEST_IDLE.value,
    show_default=True,
)
@click.option("--ring-timeout", type=click.IntRange(5, 120), default=20, show_default=True)
@click.option("--wrap-up", type=click.IntRange(0, 3600), default=60, show_default=True)
@click.option("--max-wait", type=click.IntRange(60, 7200), default=600, show_default=True)
@click.option("--daily-limit", type=click.IntRange(0), default=3, show_default=True)
@click.option("--retention-days", type=click.IntRange(1, 3650), default=365, show_default=True)
@click.option(
    "--hours",
    default=None,
    help="Opening hours on every day as HH:MM-HH:MM, e.g. 17:00-23:00. Default: always open.",
)
def line_add(**options: object) -> None:
    """Create a line for a Twilio number."""
    fields = {
        "timezone": options["timezone"],
        "languages": list(options["languages"]),
        "crisis_number": options["crisis_number"],
        "overflow_number": options["overflow_number"],
        "routing_strategy": RoutingStrategy(options["strategy"]),
        "ring_timeout_seconds": options["ring_timeout"],
        "wrap_up_seconds": options["wrap_up"],
        "max_wait_seconds": options["max_wait"],
        "daily_contact_limit": options["daily_limit"],
        "retention_days": options["retention_days"],
    }
    if options["hours"]:
        opens, _, closes = str(options["hours"]).partition("-")
        fields["opening_hours"] = {day: [[opens, closes]] for day in WEEKDAYS}
    with operator_session() as session:
        created = lines.add_line(
            session, name=str(options["name"]), twilio_number=str(options["number"]), **fields
        )
        click.echo(f"Line {created.id} '{created.name}' answers {created.twilio_number}.")


@main.group()
def user() -> None:
    """Manage specialists, coordinators and administrators."""


@user.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True, help="The name colleagues see.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.SPECIALIST.value,
    show_default=True,
)
@click.option("--phone", default=None, help="The phone offers ring, e.g. +15551234567.")
@click.option("--language", "languages", multiple=True, default=["en"], show_default=True)
@click.option(
    "--line",
    "line_numbers",
    multiple=True,
    help="The Twilio number of a line they answer as a specialist; repeat for more.",
)
@click.password_option(help="At least 12 characters; asked for when not given.")
def user_add(
    email: str,
    name: str,
    role: str,
    phone: str | None,
    languages: tuple[str, ...],
    line_numbers: tuple[str, ...],
    password: str,
) -> None:
    """Create a user who signs in with email and password."""
    with operator_session() as session:
        created = people.add_user(
            session,
            email=email,
            display_name=name,
            password=password,
            role=Role(role),
            phone=phone,
            languages=list(languages),
            line_ids=[_line(session, number).id for number in line_numbers],
        )
        click.echo(f"User {created.id} {created.email} ({created.role.value}) can sign in.")


def _line(session: Session, number: str) -> Line:
    found = lines.find_line(session, number)
    if found is None:
        raise click.ClickException("no line answers that number; add it with `line add`")
    return found


@main.group()
def shift() -> None:
    """Manage the roster."""


@shift.command("add")
@click.option("--line", "line_number", required=True, help="The line's Twilio number.")
@click.option("--user", "email", required=True, help="The specialist's email.")
@click.option("--start", required=True, help="'YYYY-MM-DD HH:MM' in the line's timezone.")
@click.option("--end", required=True, help="'YYYY-MM-DD HH:MM' in the line's timezone.")
def shift_add(line_number: str, email: str, start: str, end: str) -> None:
    """Roster a specialist on a line, making them one of its specialists if they are not.

    The operator acts as administrator: rostering someone on a line is deciding they answer
    it, so they join its specialists (audited, and said here) rather than be refused.
    """
    with operator_session() as session:
        found_line = _line(session, line_number)
        found_user = people.find_user(session, email)
        if found_user is None:
            raise click.ClickException("no user has that email; add them with `user add`")
        joins = not people.serves(session, found_user.id, found_line.id)
        zone = ZoneInfo(found_line.timezone)
        created = roster.add_shift(
            session,
            line=found_line,
            user=found_user,
            starts_at=_local_time(start, zone),
            ends_at=_local_time(end, zone),
        )
        click.echo(
            f"Shift {created.id}: {found_user.display_name} on {found_line.name}, "
            f"{created.starts_at.astimezone(zone):%Y-%m-%d %H:%M %Z} to "
            f"{created.ends_at.astimezone(zone):%Y-%m-%d %H:%M %Z}."
        )
        if joins:
            click.echo(f"{found_user.display_name} is now one of {found_line.name}'s specialists.")


def _local_time(text: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not 'YYYY-MM-DD HH:MM'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool) -> None:
    """Work the calls, texts and maintenance queues."""
    from workers.main import run_worker

    run_worker(load_settings(), burst=burst)


@main.command()
def clock() -> None:
    """Enqueue maintenance on schedule: live-state repair every few seconds, nightly purge."""
    from workers.clock import run_clock

    run_clock(load_settings())


@main.command()
def purge() -> None:
    """Queue the deletion of contact metadata past each line's retention period."""
    from warmline.composition import build_runtime
    from workers.jobs import purge_expired_contacts
    from workers.queues import urgency_queues

    services = build_runtime(load_settings())
    job = urgency_queues(services.redis)["maintenance"].enqueue(purge_expired_contacts)
    click.echo(f"Queued purge job {job.id} on the maintenance queue.")


@main.command()
def run() -> None:
    """Run the line on this machine: embedded Redis, database, web and worker. Ctrl-C stops."""
    from warmline.devserver import serve

    raise SystemExit(serve(load_settings()))


@main.group()
def twilio() -> None:
    """Try the line on real Twilio."""


class _TerminalOperator:
    """The person at the terminal, holding the phones the check asks them to use."""

    def tell(self, step: str, instruction: str) -> None:
        click.echo(f"\n[{step}] {instruction}")

    def confirm(self, question: str) -> bool:
        return click.confirm(question, default=False)


@twilio.command("check")
@click.option("--line", "line_number", required=True, help="The line's Twilio number.")
@click.option(
    "--wait",
    "wait_seconds",
    type=click.IntRange(10, 900),
    default=180,
    show_default=True,
    help="Seconds each step waits for the line to see what you did.",
)
@click.option(
    "--crisis-phone-is-mine",
    is_flag=True,
    help="Include the warm handoff: the line's crisis number is rung for real.",
)
def twilio_check(line_number: str, wait_seconds: int, crisis_phone_is_mine: bool) -> None:
    """Walk through a call, a warm handoff and a text on the real number, and say what was seen.

    Needs the production settings (Twilio account, database, public URL), two phones (three
    with the handoff) and a specialist account on shift on the line.
    """
    from warmline.twilio_check import Outcome, TwilioCheck, twilio_client

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            line = lines.find_line(session, line_number)
        if line is None:
            raise click.ClickException("no line answers that number; add it with `line add`")
        check = TwilioCheck(
            settings=settings,
            client=twilio_client(settings),
            sessions=sessions,
            line=line,
            operator=_TerminalOperator(),
            wait_seconds=wait_seconds,
            handoff=crisis_phone_is_mine,
        )
        findings = []
        for finding in check.run():
            findings.append(finding)
            click.echo(f"{finding.outcome.value}  {finding.step}: {finding.detail}")
    finally:
        engine.dispose()
    failed = [finding.step for finding in findings if finding.outcome is Outcome.FAILED]
    click.echo(f"\n{len(findings) - len(failed)} of {len(findings)} steps did not fail.")
    if failed:
        raise SystemExit(1)
