"""Issue 16 item 2 in Chromium: signing out, or closing the last dashboard for longer than the
grace, ends the specialist's availability; coming back shows them off shift."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import caller_arrives, caller_connects, caller_hangs_up
from tests.factories import make_line, make_specialist
from tests.services import wait_for
from warmline.dashboard import events
from warmline.live import LiveLine
from workers import jobs

# Short, so that the test waits seconds; the stream's heartbeat is 0.5 s here (conftest).
GRACE_SECONDS = 2


@pytest.fixture
def settings(settings):
    return replace(settings, presence_grace_seconds=GRACE_SECONDS)


def expect_off_shift(page) -> None:
    expect(page.locator("#status-badge")).to_have_text("Off shift")
    expect(page.get_by_role("button", name="Start shift")).to_be_visible()


def test_signing_out_asks_first_then_ends_availability_so_the_next_call_is_not_offered(
    page, server, session, twilio, worker_runtime, twilio_api, redis_client
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)

    page.get_by_role("button", name="Sign out").click()
    warning = page.get_by_role("dialog", name="Sign out and end your shift?")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Your shift ends now.")
    expect(warning).to_contain_text("No more calls or texts are offered to you")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    shoot(page, "sign-out-warning")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.locator("#status-badge")).to_have_text("Available")

    page.get_by_role("button", name="Sign out").click()
    warning.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert LiveLine(redis_client, line.id).present() == []

    caller_arrives(twilio, session)
    assert jobs.offer_contacts(line.id) == 0, "nobody is rung: Ana signed out"

    sign_in(page, server, ana.email)
    expect_off_shift(page)
    shoot(page, "signed-back-in-off-shift")


def test_signing_out_during_a_call_says_it_goes_on_and_ends_the_shift_when_it_does(
    page, server, session, twilio, redis_client
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = caller_arrives(twilio, session)
    take_from_queue(page, contact_id)
    expect(page.locator("#status-badge")).to_have_text("In a conversation")

    page.get_by_role("button", name="Sign out").click()
    warning = page.get_by_role("dialog", name="Sign out and end your shift?")
    expect(warning).to_contain_text("Your call goes on until it ends, then your shift ends.")
    expect(warning).not_to_contain_text("Your shift ends now.")
    warning.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    live = LiveLine(redis_client, line.id)
    assert live.specialist(ana.id)["status"] == "on_call", "the call is not cut"
    caller_connects(twilio, session, contact_id)
    caller_hangs_up(twilio, session, contact_id)
    assert live.present() == []
    sign_in(page, server, ana.email)
    expect_off_shift(page)


def test_closing_the_last_tab_for_longer_than_the_grace_ends_availability(
    chromium, server, session, twilio, worker_runtime, redis_client
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    live = LiveLine(redis_client, line.id)
    browser = chromium.new_context()
    try:
        first = browser.new_page()
        sign_in(first, server, ana.email)
        start_shift(first)
        second = browser.new_page()
        second.goto(f"{server}/dashboard")
        expect(second.locator("body")).to_have_attribute("data-live", "stream")

        first.close()
        kept_until = time.monotonic() + 2 * GRACE_SECONDS

        def still_on_shift_for_twice_the_grace() -> bool:
            assert jobs.end_absent_shifts() == {"signed_off": 0}
            assert live.present() == [ana.id]
            return time.monotonic() > kept_until

        wait_for(
            still_on_shift_for_twice_the_grace,
            timeout=4 * GRACE_SECONDS,
            what="the open tab to keep Ana on shift after the other closed",
        )

        second.close()
        closed = time.monotonic()
        wait_for(
            lambda: jobs.end_absent_shifts() == {"signed_off": 1},
            timeout=GRACE_SECONDS + 15,
            what="the sweep to end Ana's availability once her last tab closed",
        )
        # Last seen at its stream's last heartbeat, up to one heartbeat before the tab closed.
        assert time.monotonic() - closed >= GRACE_SECONDS - events.HEARTBEAT_SECONDS
        assert live.present() == []
        caller_arrives(twilio, session)
        assert jobs.offer_contacts(line.id) == 0

        back = browser.new_page()
        back.goto(f"{server}/dashboard")
        expect_off_shift(back)
    finally:
        browser.close()
