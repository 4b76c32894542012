"""The dashboard's SMS segment counter, in Chromium, against the table Python is checked on."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import texter_sends
from tests.factories import make_line, make_specialist
from tests.segments import segment_cases


def test_the_reply_counter_shows_the_segments_the_table_gives(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = texter_sends(twilio, session, "hello, is anyone there?")
    mine = take_from_queue(page, contact_id)
    reply = mine.get_by_label("Reply")
    counter = mine.locator(".hint[aria-live]")

    for case in segment_cases():
        reply.fill(case.text)
        noun = "segment" if case.segments == 1 else "segments"
        expect(counter, case.case).to_contain_text(f"· {case.segments} SMS {noun}")
