"""The dashboard on a phone's screen (375 px): the waiting line first, the shift card folded."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_shift import sign_in, start_shift
from tests.dashboard.conftest import caller_arrives
from tests.factories import make_line, make_specialist

PHONE = {"width": 375, "height": 740}


def top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def test_on_a_phone_the_waiting_line_comes_before_the_folded_shift_card(
    page, server, session, twilio
):
    page.set_viewport_size(PHONE)
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    start_shift(page)
    caller_arrives(twilio, session)
    expect(page.locator("#queue-list li")).to_have_count(1)

    assert top(page, "#queue") < top(page, "#mine") < top(page, "#shift")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    end = page.get_by_role("button", name="End shift")
    expect(end).to_be_hidden()
    shoot(page, "phone-01-waiting-first")

    page.get_by_text("Change your status or end your shift").click()
    expect(end).to_be_visible()
    shoot(page, "phone-02-controls-open")

    # Once the specialist has a contact of their own, it comes first: its crisis transfer too.
    page.locator("#queue-list li").get_by_role("button", name="Accept").click()
    expect(page.locator("#mine-list li")).to_have_count(1)
    assert top(page, "#mine") < top(page, "#queue")


def test_on_a_laptop_the_shift_controls_are_open_and_have_no_fold(page, server, session):
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    start_shift(page)

    expect(page.get_by_role("button", name="End shift")).to_be_visible()
    expect(page.get_by_text("Change your status or end your shift")).to_be_hidden()
