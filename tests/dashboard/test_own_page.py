"""A specialist's own page (/me): their next shifts on the line's clock, in their language."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import time_machine

from tests.dashboard.conftest import signed_in
from warmline import roster

# Wednesday 2026-05-20, 07:00 on the line's clock, New York's.
NOW = datetime(2026, 5, 20, 11, tzinfo=UTC)


def test_the_next_shifts_say_which_one_ends_the_next_day(app, session, line, ana):
    line.timezone = "America/New_York"
    session.commit()
    for day, start, end in (
        (date(2026, 5, 21), "09:00", "13:00"),
        (date(2026, 5, 22), "22:00", "06:00"),
    ):
        roster.add_local_shift(session, now=NOW, line=line, user=ana, day=day, start=start, end=end)
    session.commit()

    with time_machine.travel(NOW, tick=False):
        page = html.unescape(signed_in(app, ana).get("/me").get_data(as_text=True))

    day_shift, overnight = page.split('id="shift-list"')[1].split("<li>")[1:3]
    assert "Thu, May 21, 2026, 9:00" in day_shift and "ends next day" not in day_shift
    assert "Fri, May 22, 2026, 10:00" in overnight and "ends next day" in overnight
