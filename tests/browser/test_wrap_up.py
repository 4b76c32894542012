"""Issue 16 item 1 in Chromium: the wrap-up badge follows the line, and no button the line
would refuse is shown. The line's own wrap-up setting makes the wait short."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_crisis_alert import IMMINENT, RECORDERS
from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import (
    caller_arrives,
    caller_connects,
    caller_hangs_up,
    texter_sends,
)
from tests.factories import make_line, make_specialist

IN_WRAP_UP = re.compile(r"^Wrap-up · \d+:\d\d left$")
ACCEPT = re.compile("^Accept")


def talk_and_hang_up(page, twilio, session) -> int:
    """Take a caller from the waiting line, talk, and let them hang up: wrap-up begins."""
    contact_id = caller_arrives(twilio, session)
    take_from_queue(page, contact_id)
    expect(page.locator("#status-badge")).to_have_text("In a conversation")
    caller_connects(twilio, session, contact_id)
    caller_hangs_up(twilio, session, contact_id)
    expect(page.locator("#status-badge")).to_have_text(IN_WRAP_UP)
    return contact_id


def test_after_a_saved_wrap_up_the_badge_turns_available_when_its_time_is_up_and_on_reload(
    page, server, session, twilio
):
    line = make_line(session, wrap_up_seconds=8)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = talk_and_hang_up(page, twilio, session)

    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    mine.get_by_role("button", name="Save wrap-up").click()
    expect(page.locator("#mine-empty")).to_be_visible()
    page.reload()
    expect(page.locator("#status-badge")).to_have_text(IN_WRAP_UP)
    expect(page.locator("#wrap-up-countdown")).to_contain_text("offers resume in")
    shoot(page, "wrap-up-saved")

    # Nothing is sent when the wrap-up ends: the page asks the server once its time is up.
    expect(page.locator("#status-badge")).to_have_text("Available")
    expect(page.locator("#shift-status")).to_have_text("Available")
    expect(page.locator("#wrap-up-countdown")).to_have_text("")
    page.reload()
    expect(page.locator("#status-badge")).to_have_text("Available")
    expect(page.locator("#wrap-up-countdown")).to_have_text("")


def test_in_wrap_up_no_accept_is_shown_until_the_specialist_ends_it(page, server, session, twilio):
    line = make_line(session, wrap_up_seconds=600)
    ana = make_specialist(session, line, name="Ana")
    page.add_init_script(RECORDERS)
    sign_in(page, server, ana.email)
    start_shift(page)
    talk_and_hang_up(page, twilio, session)

    caller = caller_arrives(twilio, session)
    texter = texter_sends(twilio, session, IMMINENT)
    waiting = page.locator(f'#queue-list li[data-contact-id="{caller}"]')
    expect(waiting).to_contain_text("Waiting")
    expect(page.locator(f'#queue-list li[data-contact-id="{texter}"]')).to_be_visible()
    expect(page.locator("#crisis-alert")).to_be_visible()
    expect(page.locator("#queue-list").get_by_role("button", name=ACCEPT)).to_have_count(0)
    expect(page.locator("#crisis-accept")).to_be_hidden()
    expect(page.locator("#crisis-why")).to_contain_text("press Available")
    expect(page.locator("#queue-why")).to_contain_text("once your wrap-up ends")
    shoot(page, "wrap-up-no-accept")

    page.get_by_role("button", name="Available", exact=True).click()
    expect(page.locator("#status-badge")).to_have_text("Available")
    expect(page.locator("#queue-why")).to_be_hidden()
    expect(page.locator("#crisis-accept")).to_be_visible()
    expect(page.locator("#crisis-why")).to_be_hidden()
    waiting.get_by_role("button", name=ACCEPT).click()
    expect(page.locator("#status-badge")).to_have_text("In a conversation")
    expect(page.locator("#notice")).to_have_text("")
    expect(page.locator(f'#mine-list li[data-contact-id="{caller}"]')).to_be_visible()


def test_on_break_no_accept_is_shown(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    page.get_by_role("button", name="Go on break").click()
    expect(page.locator("#status-badge")).to_have_text("On break")

    caller = caller_arrives(twilio, session)
    expect(page.locator(f'#queue-list li[data-contact-id="{caller}"]')).to_be_visible()
    expect(page.locator("#queue-list").get_by_role("button", name=ACCEPT)).to_have_count(0)
    expect(page.locator("#queue-why")).to_contain_text("You are on break")
