"""The warm handoff panel in real headless Chromium: answered is not joined until you say so.

A Participant's call reports "answered" when the crisis line picks up, menu or person
(https://www.twilio.com/docs/voice/api/conference-participant-resource, `StatusCallbackEvent`).
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import caller_arrives, caller_connects
from tests.factories import call_sid, make_line, make_specialist
from warmline import urls
from warmline.live import LiveLine


def test_the_specialist_confirms_the_counselor_before_the_panel_lets_them_leave(
    page, server, session, twilio, redis_client
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = caller_arrives(twilio, session)
    mine = take_from_queue(page, contact_id)
    expect(mine.get_by_role("button", name="Transfer to crisis line")).to_be_visible()
    caller_connects(twilio, session, contact_id)
    LiveLine(redis_client, line.id).record_leg(contact_id, ana.id, call_sid())

    mine.get_by_role("button", name="Transfer to crisis line").click()
    page.get_by_role("dialog").get_by_role("button", name="Dial the crisis line").click()
    expect(mine.locator(".crisis-leg")).to_contain_text("Calling the crisis line")
    expect(mine.get_by_role("button", name="End call")).to_be_disabled()

    twilio.post(
        urls.crisis_leg_status(contact_id), {"CallSid": call_sid(), "CallStatus": "in-progress"}
    )
    expect(mine.locator(".crisis-leg")).to_contain_text("a person may not be there yet")
    expect(mine.get_by_role("button", name="End call")).to_be_disabled()

    mine.get_by_role("button", name="The counselor is on the line").click()
    expect(mine.locator(".crisis-leg")).to_contain_text("The crisis counselor has joined")
    expect(mine.get_by_role("button", name="The counselor is on the line")).to_have_count(0)
    expect(mine.get_by_role("button", name="Leave the call (the counselor stays)")).to_be_enabled()
