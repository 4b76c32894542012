"""Each person's shifts as iCalendar behind a secret, revocable URL token."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from tests.console.conftest import BOTH
from tests.factories import LONG_AGO
from warmline import calendar_feed, roster


@BOTH
def test_feed_lists_shifts_in_the_lines_timezone(session, line, ana, bo):
    day = roster.local_today(line) + timedelta(days=3)
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=day, start="18:00", end="22:00"
    )
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=bo, day=day, start="09:00", end="10:00"
    )
    token = calendar_feed.issue_token(session, ana)
    session.commit()
    assert calendar_feed.user_for_token(session, token).id == ana.id
    parsed = Calendar.from_ical(calendar_feed.feed(session, ana))
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1
    start = events[0].decoded("dtstart")
    assert (start.date(), start.strftime("%H:%M")) == (day, "18:00")
    assert str(start.tzinfo) == "America/Chicago"
    assert list(parsed.walk("VTIMEZONE"))


@BOTH
def test_a_new_token_retires_the_old_url(session, ana):
    old = calendar_feed.issue_token(session, ana)
    new = calendar_feed.issue_token(session, ana)
    session.commit()
    assert calendar_feed.user_for_token(session, old) is None
    assert calendar_feed.user_for_token(session, new).id == ana.id
    assert calendar_feed.revoke_token(session, ana)
    assert calendar_feed.user_for_token(session, new) is None


def test_tokens_of_deactivated_people_and_junk_open_nothing(session, ana):
    token = calendar_feed.issue_token(session, ana)
    for junk in ("", "x", "a" * 43, token + "x", "../" * 20):
        assert calendar_feed.user_for_token(session, junk) is None
    ana.active = False
    assert calendar_feed.user_for_token(session, token) is None
