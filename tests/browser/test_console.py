"""The coordinator console in real headless Chromium: roster across a DST week, reports,
and a specialist turned away."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.clock import shown_clock, shown_date, shown_weekday_date
from tests.console.conftest import make_person
from tests.console.test_console_pages import next_clock_change
from tests.dashboard.conftest import PASSWORD
from tests.factories import make_line
from warmline import roster
from warmline.lines import assign_coordinator
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Outcome, Role, utcnow


def sign_in(page, server: str, email: str) -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()


def _coordinated_line(session):
    line = make_line(session, timezone="America/Chicago")
    cora = make_person(session, "Cora", Role.COORDINATOR)
    assign_coordinator(session, line, cora)
    session.commit()
    return line, cora


def test_roster_editing_across_a_daylight_saving_week(page, server, session):
    line, cora = _coordinated_line(session)
    make_person(session, "Ana", phone="+14155550171", line_ids=[line.id])
    # The server is a real process on the real clock: the week it rosters is still ahead.
    sunday, forward = next_clock_change("America/Chicago", roster.local_today(line))
    monday, following = sunday - timedelta(days=6), sunday + timedelta(days=1)
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/roster?week={monday}")
    heading = f"Roster: week of {shown_date(monday)}"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()

    page.locator("#pattern-user").select_option(label="Ana")
    page.locator("#pattern-first").fill(monday.isoformat())
    page.locator("#pattern-start").fill("18:00")
    page.locator("#pattern-end").fill("22:00")
    page.get_by_role("button", name="Add weekly shift").click()
    expect(page.get_by_role("status")).to_have_text("Weekly shift added.")
    rows = page.locator("#shifts tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(shown_weekday_date(monday))
    expect(rows.first).to_contain_text(shown_clock("18:00"))
    if forward:
        expect(page.locator(f'td[data-cell="{sunday}T02"]')).to_have_text("skipped")
    shoot(page, "console-01-roster-dst-week")

    page.get_by_role("link", name="Next week →").click()
    heading = f"Roster: week of {shown_date(following)}"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    first = page.locator("#shifts tbody tr").first
    expect(first).to_contain_text(shown_weekday_date(following))
    expect(first).to_contain_text(shown_clock("18:00"))
    expect(first).to_contain_text(shown_clock("22:00"))
    expect(page.locator(f'td[data-cell="{following}T18"]')).to_have_text("1")
    first.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("status")).to_have_text("Shift cancelled.")
    expect(page.locator("#shifts")).to_contain_text("No shifts this week.")
    shoot(page, "console-02-roster-after-dst")


def test_report_pages_render_with_data(page, server, session):
    line, cora = _coordinated_line(session)
    ana = make_person(session, "Ana")
    now = datetime.now(UTC)
    outcomes = [Outcome.ANSWERED] * 6 + [Outcome.ABANDONED, Outcome.CRISIS_REFERRED]
    for n, outcome in enumerate(outcomes):
        arrived = now - timedelta(days=n % 5, hours=n)
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.SMS if n % 3 == 0 else Channel.VOICE,
                caller_tag=hashlib.sha256(str(n % 4).encode()).hexdigest(),
                arrived_at=arrived,
                connected_at=arrived + timedelta(seconds=30)
                if outcome == Outcome.ANSWERED
                else None,
                wait_seconds=30 + n * 10,
                talk_seconds=600 if outcome == Outcome.ANSWERED else None,
                outcome=outcome,
                crisis_tier=2 if outcome == Outcome.CRISIS_REFERRED else 0,
                crisis_referred_at=arrived + timedelta(seconds=90)
                if outcome == Outcome.CRISIS_REFERRED
                else None,
                specialist_id=ana.id if outcome == Outcome.ANSWERED else None,
            )
        )
    session.commit()
    sign_in(page, server, cora.email)
    page.goto(f"{server}/console/lines/{line.id}/reports")
    expect(page.locator("#fig-total")).to_have_text("8")
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("#table-load")).to_contain_text("Ana")
    expect(page.locator("#table-summary")).to_contain_text("crisis referrals")
    shoot(page, "console-03-reports")


def test_a_specialist_is_refused_from_coordinator_pages(page, server, session):
    line, _cora = _coordinated_line(session)
    ana = make_person(session, "Ana")
    sign_in(page, server, ana.email)
    for path in ("/console/", f"/console/lines/{line.id}/roster", "/console/people"):
        response = page.goto(f"{server}{path}")
        assert response.status == 403, path
    # Not a bare error: a page of the line's, saying why, with the way back (axe reads it in
    # test_accessibility).
    expect(page.get_by_role("heading", name="Not for you")).to_be_visible()
    expect(page.get_by_text("Only coordinators can use the console.")).to_be_visible()
    shoot(page, "console-04-specialist-refused")
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page).to_have_url(f"{server}/dashboard")


def test_the_live_board_shows_who_is_on_shift_and_who_waits_counting_up(page, server, session, app):
    line, cora = _coordinated_line(session)
    ana = make_person(session, "Ana", phone="+14155550171", line_ids=[line.id])
    bo = make_person(session, "Bo", phone="+14155550172", line_ids=[line.id])
    arrived = utcnow() - timedelta(minutes=3)
    waiting = Contact(
        line_id=line.id, channel=Channel.VOICE, caller_tag="b" * 64, arrived_at=arrived,
        crisis_tier=2, language="en",
    )  # fmt: skip
    session.add(waiting)
    session.commit()
    live = LiveLine(app.extensions["warmline"].redis, line.id)
    live.go_available(ana.id, ["en"], ready_ms=now_ms())
    live.go_on_break(bo.id, "meal")
    live.enqueue(waiting.id, language="en", tier=2, arrived_ms=int(arrived.timestamp() * 1000))
    sign_in(page, server, cora.email)

    page.goto(f"{server}/console/lines/{line.id}")
    page.get_by_role("link", name="Live").click()

    team = page.locator("#on-shift tr")
    expect(team).to_have_count(2)
    expect(team.nth(0)).to_have_text("AnaFree for the next contact0")
    expect(team.nth(1)).to_have_text("BoOn a break (meal)0")
    row = page.locator("#waiting tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Call #{waiting.id} (en)")
    expect(row).to_contain_text("Imminent risk")
    expect(row).to_have_class("crisis")
    first = row.locator("td").nth(1).inner_text()
    assert first.startswith("3:")
    # The wait counts up between refreshes, as the coordinator watches.
    expect(row.locator("td").nth(1)).not_to_have_text(first)
    shoot(page, "console-live-board")

    live.go_offline(bo.id)
    expect(team).to_have_count(1)
