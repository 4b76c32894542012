"""A texter writing in a language the line does not speak, in real headless Chromium: the
waiting list tells the specialist so, in the specialist's words (issue 15, item 4)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_shift import sign_in, start_shift
from tests.dashboard.conftest import texter_sends
from tests.factories import make_line, make_specialist

CREOLE = "Bonjou, mwen pa pale angle, mwen bezwen pale ak yon moun kounye a"


def test_the_waiting_list_marks_a_texter_whose_language_the_line_does_not_speak(
    page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = texter_sends(twilio, session, CREOLE)
    waiting = page.locator(f'#queue-list li[data-contact-id="{contact_id}"]')
    expect(waiting).to_contain_text("language not spoken on this line: Haitian Creole")
    shoot(page, "unspoken-language-waiting")
