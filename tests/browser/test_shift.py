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
    texter_sends,
)
from tests.factories import make_line, make_specialist
from warmline.models import WrapUp
from workers import jobs

XSS = "<script>alert(1)</script>"


def sign_in(page, server: str, email: str) -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()


def take_from_queue(page, contact_id: int):
    """Press Accept on a waiting contact's row; return the contact's row among the page's own."""
    page.locator(f'#queue-list li[data-contact-id="{contact_id}"]').get_by_role(
        "button", name=re.compile("^Accept")
    ).click()
    return page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')


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
    expect(page.locator("#status-badge")).to_have_text(re.compile(r"^Wrap-up · \d+:\d\d left$"))
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
    expect(page.locator("#status-badge")).to_have_text("Off shift")
    expect(page.get_by_role("button", name="Start shift")).to_be_visible()
    shoot(page, "05-shift-ended")


def test_an_offer_rings_with_a_title_badge_and_is_accepted_from_the_screen(
    page, server, session, twilio, worker_runtime, twilio_api
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


def test_a_text_conversation_on_a_phone_sized_screen_from_hello_to_wrap_up(
    chromium, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    phone = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = phone.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        sign_in(page, server, ana.email)
        start_shift(page)

        contact_id = texter_sends(twilio, session, XSS)
        waiting = page.locator(f'#queue-list li[data-contact-id="{contact_id}"]')
        expect(waiting).to_contain_text("Text · English")
        waiting.get_by_role("button", name=re.compile("^Accept")).click()

        mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
        log = mine.get_by_role("log", name="Conversation")
        expect(log).to_contain_text(XSS)
        assert page.locator("#mine-list script").count() == 0

        reply = mine.get_by_label("Reply")
        reply.fill("I'm here, and I'm listening.")
        expect(mine.locator(".hint[aria-live]")).to_contain_text("1 SMS segment")
        mine.get_by_role("button", name="Send").click()
        expect(log).to_contain_text("I'm here, and I'm listening.")
        expect(reply).to_have_value("")

        texter_sends(twilio, session, "thank you, it helps")
        expect(log).to_contain_text("thank you, it helps")
        mine.get_by_role("button", name="Insert referral script").click()
        expect(reply).to_have_value(re.compile("988"))
        expect(mine.locator(".hint[aria-live]")).to_contain_text("SMS segments")
        shoot(page, "07-text-phone")

        mine.get_by_role("button", name="Close conversation").click()
        expect(mine.get_by_role("button", name="Save wrap-up")).to_be_visible()
        mine.get_by_label("Crisis referral offered").check()
        mine.get_by_role("button", name="Save wrap-up").click()
        expect(page.locator("#mine-empty")).to_be_visible()
        shoot(page, "08-text-wrapped-up")
    finally:
        phone.close()
    assert dialogs == []
    session.expire_all()
    wrap_up = session.scalar(select(WrapUp).where(WrapUp.contact_id == contact_id))
    assert wrap_up.crisis_referral_offered
