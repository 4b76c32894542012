"""A whole shift in real headless Chromium against a real server."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import shoot
from tests.dashboard.conftest import (
    CALLER,
    PASSWORD,
    caller_arrives,
    caller_connects,
    caller_hangs_up,
)
from tests.factories import make_line, make_specialist
from warmline.models import WrapUp
from workers import jobs


def sign_in(page, server: str, email: str) -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()


def start_shift(page) -> None:
    page.get_by_role("button", name="Start shift").click()
    expect(page.locator("#status-badge")).to_have_text("Available")
    # Live events flow once the stream is open; waiting for it keeps the test honest.
    expect(page.locator("body")).to_have_attribute("data-live", "stream")


def test_a_voice_shift_sign_in_start_accept_on_screen_wrap_up_and_end(
    page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    shoot(page, "01-signed-in")
    start_shift(page)

    contact_id = caller_arrives(twilio, session)
    waiting = page.locator(f'#queue-list li[data-contact-id="{contact_id}"]')
    expect(waiting).to_contain_text("Call · English · first contact this month")
    expect(page.locator("#queue-count")).to_have_text("1")
    shoot(page, "02-caller-waiting")
    assert CALLER[2:] not in page.content()

    waiting.get_by_role("button", name=re.compile("^Accept")).click()
    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    expect(mine.get_by_role("button", name="Transfer to crisis line")).to_be_visible()
    expect(mine.get_by_role("button", name="End call")).to_be_visible()
    expect(page.locator("#status-badge")).to_have_text("In a conversation")
    expect(page.locator("#queue-count")).to_have_text("0")
    shoot(page, "03-in-call")

    caller_connects(twilio, session, contact_id)
    caller_hangs_up(twilio, session, contact_id)
    expect(page.locator("#status-badge")).to_have_text("Wrap-up")
    expect(page.locator("#wrap-up-countdown")).to_contain_text("offers resume in")
    mine.get_by_label("loneliness").check()
    mine.get_by_label("Follow-up needed").check()
    shoot(page, "04-wrap-up")
    mine.get_by_role("button", name="Save wrap-up").click()
    expect(page.locator("#mine-empty")).to_be_visible()

    session.expire_all()
    wrap_up = session.scalar(select(WrapUp).where(WrapUp.contact_id == contact_id))
    assert wrap_up.topics == ["loneliness"]
    assert wrap_up.follow_up_needed and not wrap_up.crisis_referral_offered

    page.get_by_role("button", name="End shift").click()
    expect(page.locator("#status-badge")).to_have_text("Offline")
    expect(page.get_by_role("button", name="Start shift")).to_be_visible()
    shoot(page, "05-shift-ended")


def test_an_offer_rings_with_a_title_badge_and_is_accepted_from_the_screen(
    page, server, session, twilio, worker, twilio_api
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)

    contact_id = caller_arrives(twilio, session)
    assert jobs.offer_contacts(line.id) == 1
    expect(page.locator("#offer")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^\(1\) Offer"))
    expect(page.locator("#offer-accept")).to_be_focused()
    shoot(page, "06-offer")

    page.keyboard.press("Enter")
    expect(page.locator("#offer")).to_be_hidden()
    expect(page).to_have_title("Shift — warmline")
    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    expect(mine.get_by_role("button", name="End call")).to_be_visible()
