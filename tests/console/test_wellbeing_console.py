"""Wellbeing in the console: the recovery settings, check-ins reaching the coordinators on
shift, and the crisis contacts each specialist took this week (a week in the line's time)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.console.conftest import make_person
from tests.console.test_console_pages import SETTINGS, Browser
from tests.factories import make_line
from warmline import audit, coordinators, presence, repairs, reports
from warmline.lines import assign_coordinator
from warmline.live import LiveLine, now_ms
from warmline.models import AuditEvent, Channel, Contact, Line, Outcome, Role, User


@pytest.fixture
def coordinated(session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    return line


@pytest.fixture
def console(app, coordinated, cora):
    browser = Browser(app.test_client())
    browser.sign_in(cora.email)
    return browser


@pytest.fixture
def dashboard(app, session, coordinated, ana, cora):
    """Ana, signed in on the dashboard and on shift (a coordinator's override: no roster)."""
    browser = Browser(app.test_client())
    browser.sign_in(ana.email)
    services = app.extensions["warmline"]
    presence.start_shift(
        session,
        services.redis,
        services.jobs,
        line_id=coordinated.id,
        specialist_id=ana.id,
        at=datetime.now(UTC),
        override_by=cora.id,
    )
    return browser


def names(session) -> audit.Names:
    people = {u.id: u.display_name for u in session.scalars(select(User))}
    lines = {line.id: line.name for line in session.scalars(select(Line))}
    return audit.Names(people, lines)


def check_in(browser: Browser):
    return browser.client.post("/api/check-in", headers={"X-CSRF-Token": browser.csrf})


# The settings.


def test_a_new_line_has_a_five_minute_break_after_a_45_minute_call_and_no_cap(console, line):
    page = html.unescape(console.page(f"/console/lines/{line.id}/settings"))

    assert (line.recovery_seconds, line.long_call_minutes, line.contacts_before_break) == (
        300,
        45,
        0,
    )
    for name, value in [("recovery_seconds", 300), ("long_call_minutes", 45)]:
        assert f'id="{name}"' in page and f'value="{value}"' in page
    assert "0 turns recovery breaks off" in page
    assert "After this many contacts without a break" in page


def test_the_three_settings_are_saved_and_audited(console, session, line):
    response = console.post(
        f"/console/lines/{line.id}/settings",
        {
            **SETTINGS,
            "recovery_seconds": "600",
            "long_call_minutes": "0",
            "contacts_before_break": "6",
        },
    )

    assert response.status_code == 303
    session.expire_all()
    saved = session.get(Line, line.id)
    assert (saved.recovery_seconds, saved.long_call_minutes, saved.contacts_before_break) == (
        600,
        0,
        6,
    )
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "line.update").order_by(AuditEvent.id.desc())
    ).first()
    said = " ".join(audit.sentences(event, names(session)))
    assert "recovery break from 5 to 10 minutes" in said
    assert "contacts in a row before a recovery break from 0 to 6" in said


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("recovery_seconds", "-1"),
        ("recovery_seconds", "3601"),
        ("long_call_minutes", "241"),
        ("contacts_before_break", "51"),
        ("contacts_before_break", "three"),
    ],
)
def test_a_setting_out_of_range_is_refused_and_nothing_changes(console, session, line, name, value):
    response = console.post(f"/console/lines/{line.id}/settings", {**SETTINGS, name: value})

    assert response.status_code == 422
    session.expire_all()
    saved = session.get(Line, line.id)
    assert (saved.recovery_seconds, saved.long_call_minutes, saved.contacts_before_break) == (
        300,
        45,
        0,
    )


# Checking in.


def test_a_check_in_reaches_the_coordinator_with_the_console_open(
    console, dashboard, session, coordinated, ana
):
    assert console.get("/console/notices.json").json == {"notices": []}

    response = check_in(dashboard)

    assert response.status_code == 200
    assert response.json == {"reached": ["Cora"]}
    [notice] = console.get("/console/notices.json").json["notices"]
    assert notice["kind"] == "check_in"
    assert (notice["from_name"], notice["line_name"]) == ("Ana", coordinated.name)
    assert notice["line_timezone"] == "America/Chicago"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "wellbeing.check_in")
    ).one()
    assert event.detail == {"line_id": coordinated.id, "reached": 1}
    said = audit.sentences(event, names(session))
    assert said == [
        f"Ana asked the coordinators on shift on {coordinated.name} to check in with them."
    ]


def test_with_no_coordinator_on_shift_the_specialist_is_told_nobody_was_reached(
    app, dashboard, session, coordinated
):
    response = check_in(dashboard)

    assert response.status_code == 200 and response.json == {"reached": []}
    assert session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "wellbeing.check_in")
    ).one() == {
        "line_id": coordinated.id,
        "reached": 0,
    }


def test_a_check_in_off_shift_is_refused(app, session, coordinated, bo):
    browser = Browser(app.test_client())
    browser.sign_in(bo.email)
    assert check_in(browser).status_code == 409


def test_a_specialist_cannot_read_the_coordinators_notices(app, dashboard):
    assert dashboard.get("/console/notices.json").status_code == 403


def test_only_the_lines_coordinators_with_a_console_open_lately_are_on_shift(
    app, session, coordinated, cora
):
    client = app.extensions["warmline"].redis
    other_line = make_line(session, name="Hillside", twilio_number="+15017122662")
    dana = make_person(session, "Dana", Role.COORDINATOR)
    assign_coordinator(session, other_line, dana, via="cli")
    eve = make_person(session, "Eve", Role.ADMIN)
    session.commit()
    at = now_ms()
    coordinators.keep_watch(client, [coordinated.id], cora.id, at - coordinators.WATCH_MS - 1)
    coordinators.keep_watch(client, [coordinated.id], dana.id, at)
    coordinators.keep_watch(client, [coordinated.id], eve.id, at)

    assert [
        u.display_name for u in coordinators.on_shift(session, client, coordinated.id, at_ms=at)
    ] == ["Eve"]

    coordinators.keep_watch(client, [coordinated.id], cora.id, at)
    names = [
        u.display_name for u in coordinators.on_shift(session, client, coordinated.id, at_ms=at)
    ]
    assert names == ["Cora", "Eve"]


def test_a_notice_names_the_specialist_and_nothing_of_a_contact(app, session, coordinated, ana):
    client = app.extensions["warmline"].redis
    coordinators.notify(
        client, coordinated.id, "check_in", from_id=ana.id, from_name="Ana", at_ms=now_ms()
    )

    [notice] = coordinators.notices(client, [coordinated.id], at_ms=now_ms())
    assert set(notice.as_json()) == {"id", "kind", "line_id", "from_id", "from_name", "at_ms"}
    assert (
        coordinators.notices(client, [coordinated.id], at_ms=now_ms() + coordinators.NOTICE_MS + 1)
        == []
    )


# Crisis contacts this week. Chicago's clocks go back at 02:00 on Sunday 2026-11-01.


def crisis_contact(session, line, specialist, connected: datetime, **fields):
    fields.setdefault("crisis_tier", 1)
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.VOICE,
            arrived_at=connected - timedelta(minutes=1),
            connected_at=connected,
            outcome=Outcome.ANSWERED,
            specialist_id=specialist.id,
            language="en",
            **fields,
        )
    )
    session.commit()


def test_the_week_starts_at_monday_midnight_in_the_lines_time_across_the_clock_change(line):
    # Monday 2026-10-26 00:00 CDT (UTC-5), and Monday 2026-11-02 00:00 CST (UTC-6).
    assert reports.week_start(line, datetime(2026, 11, 1, 23, 0, tzinfo=UTC)) == datetime(
        2026, 10, 26, 5, 0, tzinfo=UTC
    )
    assert reports.week_start(line, datetime(2026, 11, 2, 5, 59, tzinfo=UTC)) == datetime(
        2026, 10, 26, 5, 0, tzinfo=UTC
    )
    assert reports.week_start(line, datetime(2026, 11, 2, 6, 0, tzinfo=UTC)) == datetime(
        2026, 11, 2, 6, 0, tzinfo=UTC
    )


def test_crisis_contacts_are_counted_per_specialist_in_the_local_week(session, line, ana, bo):
    crisis_contact(session, line, ana, datetime(2026, 10, 26, 4, 59, tzinfo=UTC))  # Sunday, CDT
    crisis_contact(session, line, ana, datetime(2026, 10, 26, 5, 0, tzinfo=UTC))
    crisis_contact(session, line, ana, datetime(2026, 11, 1, 12, 0, tzinfo=UTC), crisis_tier=2)
    crisis_contact(
        session,
        line,
        bo,
        datetime(2026, 11, 2, 5, 30, tzinfo=UTC),
        crisis_tier=0,
        crisis_referred_at=datetime(2026, 11, 2, 5, 40, tzinfo=UTC),
    )
    crisis_contact(session, line, bo, datetime(2026, 11, 1, 13, 0, tzinfo=UTC), crisis_tier=0)

    # Sunday night, CST: still the week that began on Monday in CDT.
    assert reports.crisis_contacts_this_week(
        session, line, datetime(2026, 11, 2, 5, 50, tzinfo=UTC)
    ) == {
        ana.id: 2,
        bo.id: 1,
    }
    # Monday 00:00 CST: a new week.
    assert (
        reports.crisis_contacts_this_week(session, line, datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
        == {}
    )


def test_the_reports_page_shows_each_specialists_crisis_contacts_this_week(
    app, session, coordinated, cora, ana, bo
):
    wednesday = datetime(2026, 11, 4, 18, 0, tzinfo=UTC)
    crisis_contact(session, coordinated, bo, wednesday - timedelta(hours=30))
    crisis_contact(session, coordinated, ana, wednesday - timedelta(days=4))
    with time_machine.travel(wednesday, tick=False):
        console = Browser(app.test_client())
        console.sign_in(cora.email)
        page = html.unescape(console.page(f"/console/lines/{coordinated.id}/reports"))

    section = page[page.index('id="crisis-week"') :]
    assert "<td>Bo</td><td>1</td>" in section and "<td>Ana</td><td>0</td>" in section
    assert section.index("Bo") < section.index("Ana")


# The line's own warning: someone showing crisis signs waits.


def waiting(session, services, line, *, waited: timedelta, tier: int = 0, ended: bool = False):
    """A contact in line since `waited` ago, at `tier` as the record says."""
    arrived = datetime.now(UTC) - waited
    contact = Contact(
        line_id=line.id,
        channel=Channel.SMS,
        arrived_at=arrived,
        ended_at=datetime.now(UTC) if ended else None,
        outcome=Outcome.OPEN,
        crisis_tier=tier,
        language="en",
    )
    session.add(contact)
    session.commit()
    LiveLine(services.redis, line.id).enqueue_text(
        contact.id, language="en", tier=tier, arrived_ms=int(arrived.timestamp() * 1000)
    )
    return contact


def test_someone_with_crisis_signs_waiting_a_minute_is_told_to_the_coordinators_once(
    app, console, session, coordinated
):
    services = app.extensions["warmline"]
    waiting(session, services, coordinated, waited=timedelta(seconds=61), tier=1)

    assert repairs.warn_of_crisis_waiting(services) == {"crisis_waiting": 1}
    assert repairs.warn_of_crisis_waiting(services) == {"crisis_waiting": 0}, "once"

    [notice] = console.get("/console/notices.json").json["notices"]
    assert notice["kind"] == "crisis_waiting"
    assert (notice["from_id"], notice["from_name"]) == (None, None)
    assert set(notice) == {
        "id", "kind", "line_id", "from_id", "from_name", "at_ms", "line_name", "line_timezone"
    }, "nothing of the contact"  # fmt: skip


def test_crisis_signs_seen_only_while_waiting_count_too(app, console, session, coordinated):
    services = app.extensions["warmline"]
    contact = waiting(session, services, coordinated, waited=timedelta(minutes=3))
    assert repairs.warn_of_crisis_waiting(services) == {"crisis_waiting": 0}

    LiveLine(services.redis, coordinated.id).raise_tier(contact.id, 2)

    assert repairs.warn_of_crisis_waiting(services) == {"crisis_waiting": 1}


@pytest.mark.parametrize(
    ("waited", "tier", "ended"),
    [
        (timedelta(minutes=10), 0, False),
        (timedelta(seconds=45), 2, False),
        (timedelta(minutes=5), 1, True),
    ],
    ids=["no-crisis-signs", "under-a-minute", "already-ended"],
)
def test_no_warning_without_crisis_signs_a_minute_of_waiting_and_an_open_contact(
    app, console, session, coordinated, waited, tier, ended
):
    services = app.extensions["warmline"]
    waiting(session, services, coordinated, waited=waited, tier=tier, ended=ended)

    assert repairs.warn_of_crisis_waiting(services) == {"crisis_waiting": 0}
    assert console.get("/console/notices.json").json == {"notices": []}
