"""Issue 18 item 2 in Chromium: a waiting texter pushed to a free specialist's dashboard, the
way a call is offered (a panel, a sound, a notification in the background, Alt+Shift+A), who
accepts it or lets it pass to the next specialist."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_alerts import NOTIFICATION_SPY, SOUND_SPY
from tests.browser.test_shift import sign_in, start_shift
from tests.dashboard.conftest import TEXTER, texter_sends
from tests.factories import make_line, make_specialist, on_shift
from warmline.live import LiveLine, now_ms
from workers import jobs


def test_a_pushed_text_offer_sounds_notifies_and_is_accepted_with_the_shortcut(
    chromium, server, session, twilio, worker_runtime, twilio_api
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    browser = chromium.new_context(permissions=["notifications"])
    try:
        page = browser.new_page()
        page.add_init_script(NOTIFICATION_SPY + SOUND_SPY)
        sign_in(page, server, ana.email)
        start_shift(page)
        page.evaluate("window.inBackground = true")

        contact_id = texter_sends(twilio, session, "I want to kill myself tonight")
        assert jobs.offer_contacts(line.id) == 1

        offer = page.get_by_role("region", name="A texter is being offered to you")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text(re.compile(r"Crisis: imminent.*Text · English"))
        expect(offer).to_contain_text(re.compile(r"waiting \d+:\d\d"))
        expect(page.locator("#status-badge")).to_have_text("Being offered a texter")
        expect(page).to_have_title(re.compile(r"\(1\) Offer"))
        page.wait_for_function("() => window.sounds.some((s) => s.kind === 'text_offer')")
        page.wait_for_function(
            "() => window.notified.some((n) => n.title.includes('a texter is being offered'))"
        )
        [notice] = [n for n in page.evaluate("window.notified") if "texter" in n["title"]]
        assert notice["body"].startswith("Crisis: imminent · Text · English")
        assert TEXTER[2:] not in str(page.evaluate("window.notified")) + page.content()
        assert findings(page) == []
        shoot(page, "text-offer")

        page.locator("#main").focus()
        page.keyboard.press("Alt+Shift+A")
        mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
        expect(mine.get_by_label("Reply")).to_be_visible()
        expect(offer).to_be_hidden()
        expect(page.locator("#status-badge")).to_have_text("Texting")
        assert LiveLine(worker_runtime.redis, line.id).texts_held(ana.id) == [contact_id]
    finally:
        browser.close()


def test_a_text_offer_let_pass_goes_to_the_next_and_can_still_be_taken_from_the_list(
    app, page, server, session, twilio, worker_runtime, twilio_api
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    bo = make_specialist(session, line, name="Bo", phone="+14155550172")
    sign_in(page, server, ana.email)
    start_shift(page)
    # Bo starts after Ana, with a dashboard open of his own: Ana has been idle longest.
    on_shift(app, session, line, bo)
    live = LiveLine(worker_runtime.redis, line.id)
    live.saw(bo.id, now_ms())

    contact_id = texter_sends(twilio, session, "hello, is anyone there?")
    assert jobs.offer_contacts(line.id) == 1
    offer = page.get_by_role("region", name="A texter is being offered to you")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Text · English")
    assert live.text_offer_of(bo.id) is None

    offer.get_by_role("button", name="Pass").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#status-badge")).to_have_text("Available")
    assert jobs.offer_contacts(line.id) == 1
    assert live.text_offer_of(bo.id) == contact_id
    row = page.locator(f'#queue-list li[data-contact-id="{contact_id}"]')
    expect(row).to_contain_text("Being offered")
    expect(offer).to_be_hidden()
    assert page.locator("#notice").text_content() == ""
    shoot(page, "text-offer-passed")

    row.get_by_role("button", name=re.compile("^Accept")).click()
    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    expect(mine.get_by_label("Reply")).to_be_visible()
    assert live.texts_held(ana.id) == [contact_id]
    assert live.text_offer_of(bo.id) is None, "taking it from the list ended Bo's offer"
