"""The transfer to the crisis line in real headless Chromium, as the specialist lives it.

The page's timers are frozen (Playwright's clock), so no poll can run: whatever the page shows
of the counselor's leg came on the event stream, when Twilio's status callback arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import caller_arrives, caller_connects, caller_hangs_up
from tests.factories import call_sid, make_line, make_specialist
from warmline import urls
from warmline.live import LiveLine

TRANSFER = "Transfer to crisis line"


def in_a_call(page, server, session, twilio, redis_client) -> tuple[int, LiveLine, object]:
    """Ana starts her shift (timers frozen) and talks with a caller: the contact, line and row."""
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    page.clock.install()
    sign_in(page, server, ana.email)
    start_shift(page)
    # From here on no timer of the page's fires: no poll, no safety refresh.
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=1))
    contact_id = caller_arrives(twilio, session)
    mine = take_from_queue(page, contact_id)
    expect(mine.get_by_role("button", name=TRANSFER)).to_be_visible()
    caller_connects(twilio, session, contact_id)
    live = LiveLine(redis_client, line.id)
    live.record_leg(contact_id, ana.id, call_sid())
    return contact_id, live, mine


def leg_reports(twilio, contact_id: int, status: str) -> None:
    response = twilio.post(
        urls.crisis_leg_status(contact_id), {"CallSid": call_sid(), "CallStatus": status}
    )
    assert response.status_code == 200


def test_a_transfer_asks_first_and_cancelling_dials_nobody(
    page, server, session, twilio, redis_client
):
    contact_id, live, mine = in_a_call(page, server, session, twilio, redis_client)

    mine.get_by_role("button", name=TRANSFER).click()
    dialog = page.get_by_role("dialog", name="Transfer to the crisis line?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(mine.get_by_role("button", name=TRANSFER)).to_be_focused()

    mine.get_by_role("button", name=TRANSFER).click()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(mine.locator(".crisis-leg")).to_have_count(0)
    assert live.recall(contact_id, "crisis_leg") is None, "nobody was dialled"


def test_the_counselor_leg_reaches_the_page_as_it_happens_and_the_buttons_say_what_they_do(
    page, server, session, twilio, redis_client
):
    contact_id, live, mine = in_a_call(page, server, session, twilio, redis_client)
    mine.get_by_role("button", name=TRANSFER).click()
    page.get_by_role("dialog").get_by_role("button", name="Dial the crisis line").click()
    expect(mine.locator(".crisis-leg")).to_contain_text("Calling the crisis line")
    assert live.recall(contact_id, "crisis_leg") == "dialing"
    expect(mine.get_by_role("button", name="End call")).to_be_disabled()

    # No timer runs on the page: each of these arrives as an event, or not at all.
    leg_reports(twilio, contact_id, "ringing")
    expect(mine.locator(".crisis-leg")).to_contain_text("The crisis line is ringing")
    leg_reports(twilio, contact_id, "in-progress")
    expect(mine.locator(".crisis-leg")).to_contain_text("a person may not be there yet")
    expect(mine.get_by_role("button", name="End call")).to_be_disabled()

    mine.get_by_role("button", name="The counselor is on the line").click()
    expect(mine.locator(".crisis-leg")).to_contain_text("The crisis counselor has joined")
    expect(mine.get_by_role("button", name="End call")).to_have_count(0)
    expect(mine.get_by_role("button", name=TRANSFER)).to_have_count(0)
    leave = mine.get_by_role("button", name="Leave the call (the counselor stays)")
    expect(leave).to_be_enabled()

    leg_reports(twilio, contact_id, "completed")
    expect(mine.locator(".crisis-leg")).to_contain_text("The crisis counselor has left")
    expect(mine.get_by_role("button", name="End call")).to_be_enabled()


def test_the_wrap_up_after_a_transfer_has_the_crisis_referral_ticked(
    page, server, session, twilio, redis_client
):
    contact_id, _, mine = in_a_call(page, server, session, twilio, redis_client)
    mine.get_by_role("button", name=TRANSFER).click()
    page.get_by_role("dialog").get_by_role("button", name="Dial the crisis line").click()
    expect(mine.locator(".crisis-leg")).to_contain_text("Calling the crisis line")

    caller_hangs_up(twilio, session, contact_id)

    referral = mine.get_by_label("Crisis referral offered")
    expect(referral).to_be_checked()
    referral.uncheck()
    # Another caller's arrival redraws the page: the specialist's own choice stands.
    other = caller_arrives(twilio, session)
    expect(page.locator(f'#queue-list li[data-contact-id="{other}"]')).to_be_visible()
    expect(referral).not_to_be_checked()
