"""Issue 16 item 3 in Chromium: an offer's wait and a call's length count by the second from
the server's times, and the offer is shown once, in its panel, only while it stands."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import caller_arrives, caller_connects
from tests.factories import make_line, make_specialist
from warmline import urls
from warmline.live import LiveLine
from warmline.models import Contact
from workers import jobs

OFFERED = "A caller is being offered to you"
CLOCK = re.compile(r"(\d+):(\d\d)$")


def clock_seconds(text: str) -> int:
    minutes, seconds = CLOCK.search(text).groups()
    return int(minutes) * 60 + int(seconds)


def counts_up(locator) -> None:
    """The time shown goes on by itself: wait for it to change, then check it went up."""
    before = locator.inner_text()
    expect(locator).not_to_have_text(before)
    assert clock_seconds(locator.inner_text()) > clock_seconds(before)


def arrived_earlier(session, contact_id: int, by: timedelta) -> None:
    contact = session.get(Contact, contact_id)
    contact.arrived_at -= by
    session.commit()


def offered(page, server, session, twilio, redis_client) -> tuple[int, int]:
    """Sign Ana in, start her shift, and have the worker offer her a caller who has waited
    two minutes; return the caller's contact id and Ana's id."""
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = caller_arrives(twilio, session)
    arrived_earlier(session, contact_id, timedelta(minutes=2))
    assert jobs.offer_contacts(line.id) == 1
    assert LiveLine(redis_client, line.id).offer_legs(contact_id)
    expect(page.locator("#offer")).to_be_visible()
    return contact_id, ana.id


def offer_not_shown(page) -> None:
    expect(page.locator("#offer")).to_be_hidden()
    expect(page.get_by_text(OFFERED)).not_to_be_visible()
    expect(page.locator("#notice")).not_to_contain_text("offered")


def test_the_offer_shows_once_with_its_wait_counting_up_from_the_callers_arrival(
    page, server, session, twilio, worker_runtime, twilio_api, redis_client
):
    offered(page, server, session, twilio, redis_client)
    wait = page.locator("#offer-detail .waited")
    expect(wait).to_have_text(re.compile(r"^waiting 2:\d\d$"))
    counts_up(wait)
    expect(page.locator("#status-badge")).to_have_text("Being offered a caller")
    expect(page.get_by_text(OFFERED)).to_have_count(1)
    expect(page.locator("#notice")).to_have_text("")
    # The waiting list counts the same offer by the second too, not in minutes.
    listed = page.locator("#queue-list .waited")
    expect(listed).to_have_text(re.compile(r"^Being offered 2:\d\d$"))
    counts_up(listed)
    shoot(page, "offer-once")

    # The wait is the caller's, from the server: a reload does not start it again.
    before = clock_seconds(wait.inner_text())
    page.reload()
    expect(wait).to_have_text(re.compile(r"^waiting 2:\d\d$"))
    assert clock_seconds(wait.inner_text()) >= before

    page.locator("#offer-accept").click()
    expect(page.locator("#status-badge")).to_have_text("In a conversation")
    offer_not_shown(page)


def test_after_a_missed_offer_no_offer_is_shown_and_the_break_says_why(
    page, server, session, twilio, worker_runtime, twilio_api, redis_client
):
    contact_id, ana_id = offered(page, server, session, twilio, redis_client)
    leg = LiveLine(redis_client, session.get(Contact, contact_id).line_id).offer_legs(contact_id)

    twilio.post(
        urls.offer_status(contact_id, ana_id), {"CallSid": leg[ana_id], "CallStatus": "no-answer"}
    )

    expect(page.locator("#status-badge")).to_have_text("On break")
    expect(page.locator("#shift-status")).to_contain_text("you missed an offer")
    offer_not_shown(page)
    shoot(page, "offer-missed")


def test_a_call_shows_its_length_while_talking(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = caller_arrives(twilio, session)
    mine = take_from_queue(page, contact_id)
    expect(mine.locator(".waited")).to_have_text("Connecting the call…")
    transfer = mine.get_by_role("button", name="Transfer to crisis line")
    expect(transfer).to_be_disabled()

    caller_connects(twilio, session, contact_id)
    # Connected is an event the page is told of, and the length runs from it.
    length = mine.locator(".waited")
    expect(length).to_have_text(re.compile(r"^In a call · 0:\d\d$"))
    counts_up(length)
    expect(transfer).to_be_enabled()
    offer_not_shown(page)
    shoot(page, "call-length")
