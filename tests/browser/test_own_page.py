"""A specialist's own page in Chromium: next shifts, the calendar link, this shift and month."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_console import sign_in
from tests.factories import make_line, make_specialist
from warmline.models import Channel, Contact, Outcome, Shift, utcnow


def test_a_specialist_finds_their_next_shifts_and_their_own_counts(page, server, session):
    line = make_line(session, timezone="America/Chicago")
    ana = make_specialist(session, line)
    now = utcnow()
    later = Shift(
        line_id=line.id, user_id=ana.id, starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=4),
    )  # fmt: skip
    session.add(later)
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.VOICE,
            caller_tag="d" * 64,
            arrived_at=now - timedelta(minutes=20),
            connected_at=now - timedelta(minutes=19),
            talk_seconds=15 * 60,
            outcome=Outcome.ANSWERED,
            specialist_id=ana.id,
        )
    )
    session.commit()
    sign_in(page, server, ana.email)

    page.get_by_role("link", name="Ana").click()

    expect(page.get_by_role("heading", name="Your next shifts")).to_be_visible()
    expect(page.locator("#shift-list li")).to_have_count(2)
    expect(page.locator("#shift-list li").first).to_contain_text("Riverside Warm Line")
    record = page.get_by_role("region", name="Riverside Warm Line")
    # The month's figure depends on the hour it runs at; tests/test_own_record.py freezes it.
    expect(record.locator("dd").first).to_have_text("1 contact, 0 h 15 min talking")
    shoot(page, "own-page")
    page.get_by_role("link", name="Put your shifts in your calendar app").click()
    expect(page.get_by_role("heading", name="Your shifts in your calendar app")).to_be_visible()
