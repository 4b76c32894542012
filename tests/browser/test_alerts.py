"""Issue 16 item 4 in Chromium: sound for offers and new texts without a click first where the
browser allows it (a "Turn on sound" button where it does not), a notification when the tab is
in the background, and keyboard shortcuts to accept an offer and to end a contact."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from rq import Queue

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, shoot
from tests.browser.test_shift import sign_in, start_shift, take_from_queue
from tests.dashboard.conftest import caller_arrives, texter_sends
from tests.factories import make_line, make_specialist
from tests.services import wait_for
from warmline.live import LiveLine
from workers import jobs

ANA_LEG = "CA" + "a" * 32
# Records each sound the page attempts and each tone the real Web Audio API is asked for.
SOUND_SPY = """
window.sounds = [];
window.tones = 0;
addEventListener("warmline:sound", (event) => window.sounds.push(event.detail));
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.tones += 1;
  return createOscillator.call(this);
};
"""
# Chromium driven by Playwright counts each of the test's looks at the page as a gesture, which
# lets sound start. This gives the page a browser's policy that only a click or a key press on
# the page itself lets it start.
CLICK_REQUIRED = """
let clicked = false;
const note = (event) => { if (event.isTrusted) clicked = true; };
addEventListener("pointerdown", note, true);
addEventListener("keydown", note, true);
const Allowing = AudioContext;
window.AudioContext = class extends Allowing {
  get state() { return clicked ? super.state : "suspended"; }
  resume() { return clicked ? super.resume() : new Promise(() => {}); }
};
"""
# A browser whose sound starts the moment the page is pressed, as fast as it can: the notice
# that sound is off goes before the press is released, unless the page waits for the click.
STARTS_ON_THE_PRESS = """
let pressed = false;
addEventListener("pointerdown", (event) => { if (event.isTrusted) pressed = true; }, true);
const Starting = AudioContext;
window.AudioContext = class extends Starting {
  started = false;
  get state() { return this.started ? "running" : "suspended"; }
  resume() {
    if (!pressed) return new Promise(() => {});
    this.started = true;
    return Promise.resolve();
  }
};
"""
# The real Notification API, spied on; the tab is in the background once `inBackground` is set.
NOTIFICATION_SPY = """
window.notified = [];
const Shown = Notification;
window.Notification = class extends Shown {
  constructor(title, options) {
    super(title, options);
    window.notified.push({ title, ...options });
  }
};
Object.defineProperty(document, "hidden", { get: () => window.inBackground === true });
"""


def reopen_without_a_click(page, server: str) -> None:
    """Load the dashboard again: nothing has been clicked or typed on this page."""
    page.goto(f"{server}/dashboard")
    expect(page.locator("#status-badge")).to_have_text("Available")
    expect(page.locator("body")).to_have_attribute("data-live", "stream")


def offer_a_caller(twilio, session, line) -> int:
    contact_id = caller_arrives(twilio, session)
    assert jobs.offer_contacts(line.id) == 1
    return contact_id


@pytest.fixture(scope="module")
def chromium_allowing_sound(chromium):
    """Chromium told that pages may play sound before any click, as a browser set so allows."""
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required"],
    )
    yield browser
    browser.close()


def test_an_offer_sounds_without_a_click_where_the_browser_allows_it(
    chromium_allowing_sound, server, session, twilio, worker_runtime, twilio_api
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    browser = chromium_allowing_sound.new_context()
    page = browser.new_page()
    page.add_init_script(SOUND_SPY)
    sign_in(page, server, ana.email)
    start_shift(page)
    reopen_without_a_click(page, server)
    expect(page.locator("#sound-off")).to_be_hidden()

    offer_a_caller(twilio, session, line)

    expect(page.locator("#offer")).to_be_visible()
    page.wait_for_function("() => window.sounds.length > 0")
    assert page.evaluate("window.sounds") == [{"kind": "offer", "played": True}]
    assert page.evaluate("window.tones") == 2
    expect(page.locator("#sound-off")).to_be_hidden()
    browser.close()


def test_where_sound_needs_a_click_the_page_says_so_and_one_click_turns_it_on(
    page, server, session, twilio, worker_runtime, twilio_api
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    page.add_init_script(CLICK_REQUIRED + SOUND_SPY)
    sign_in(page, server, ana.email)
    start_shift(page)
    reopen_without_a_click(page, server)
    turn_on = page.get_by_role("button", name="Turn on sound")
    expect(turn_on).to_be_visible()

    offer_a_caller(twilio, session, line)
    expect(page.locator("#offer")).to_be_visible()
    expect(turn_on).to_be_visible()
    page.wait_for_function("() => window.sounds.length > 0")
    assert page.evaluate("window.sounds") == [{"kind": "offer", "played": False}]
    assert page.evaluate("window.tones") == 0
    shoot(page, "sound-blocked")

    turn_on.click()
    expect(turn_on).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-sound", "on")
    page.wait_for_function("() => window.tones > 0")


def test_the_first_click_on_a_silent_page_lands_on_what_it_was_aimed_at(
    page, server, session, twilio, worker_runtime, twilio_api
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    page.add_init_script(STARTS_ON_THE_PRESS)
    sign_in(page, server, ana.email)
    start_shift(page)
    reopen_without_a_click(page, server)
    expect(page.get_by_role("button", name="Turn on sound")).to_be_visible()
    contact_id = offer_a_caller(twilio, session, line)
    # The offer sits under the notice: the notice going moves it up.
    expect(page.locator("#offer")).to_be_visible()

    page.locator("#offer-accept").click()

    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    expect(mine.get_by_role("button", name="End call")).to_be_visible()
    expect(page.locator("#sound-off")).to_be_hidden()


def test_an_offer_and_a_new_text_notify_a_tab_in_the_background(
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
        assert page.evaluate("Notification.permission") == "granted"

        # The caller is ahead of the texter in line: the call is the one offered to Ana.
        caller_arrives(twilio, session)
        texter_sends(twilio, session, "is anyone there tonight")
        page.wait_for_function("() => window.sounds.length === 1")
        assert page.evaluate("window.sounds") == [{"kind": "text", "played": True}]
        assert page.evaluate("window.notified") == [], "a tab in view needs no notification"

        page.evaluate("window.inBackground = true")
        assert jobs.offer_contacts(line.id) == 1
        page.wait_for_function("() => window.notified.length === 1")
        [notification] = page.evaluate("window.notified")
        assert notification["title"].startswith("(1) Offer")
        assert notification["body"].startswith("Call · English")
        assert "4155550123" not in str(notification), "the caller's number never leaves the server"
    finally:
        browser.close()


def test_shortcuts_accept_the_offer_and_end_the_call_after_asking(
    page, server, session, twilio, worker_runtime, twilio_api, redis_client
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    expect(page.locator("#shortcuts")).to_contain_text("Alt+Shift+A accepts the offer")
    contact_id = offer_a_caller(twilio, session, line)
    expect(page.locator("#offer")).to_be_visible()
    page.locator("#main").focus()

    page.keyboard.press("Alt+Shift+A")
    mine = page.locator(f'#mine-list li[data-contact-id="{contact_id}"]')
    expect(mine.get_by_role("button", name="End call")).to_be_visible()
    # The call ringing Ana into the conversation, as the worker would have placed it.
    LiveLine(redis_client, line.id).record_leg(contact_id, ana.id, ANA_LEG)

    page.locator("#main").focus()
    page.keyboard.press("Alt+Shift+E")
    asking = page.get_by_role("dialog", name="End call?")
    expect(asking).to_be_visible()
    expect(asking.get_by_role("button", name="Cancel")).to_be_focused()
    shoot(page, "shortcut-end-call")
    page.keyboard.press("Escape")
    expect(asking).to_be_hidden()
    assert not _ana_hung_up(redis_client), "cancelling ends nothing"

    page.locator("#main").focus()
    page.keyboard.press("Alt+Shift+E")
    asking.get_by_role("button", name="End it").click()
    expect(asking).to_be_hidden()
    wait_for(
        lambda: _ana_hung_up(redis_client),
        timeout=10,
        what="the call to be hung up",
    )


def test_the_end_shortcut_leaves_a_reply_being_typed_alone(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = texter_sends(twilio, session, "hello?")
    mine = take_from_queue(page, contact_id)
    reply = mine.get_by_label("Reply")
    reply.fill("I'm here")

    reply.press("Alt+Shift+E")
    expect(page.get_by_role("dialog", name="Close the text conversation?")).to_be_hidden()
    expect(reply).to_be_focused()

    page.locator("#main").focus()
    page.keyboard.press("Alt+Shift+E")
    asking = page.get_by_role("dialog", name="Close the text conversation?")
    expect(asking).to_be_visible()
    asking.get_by_role("button", name="End it").click()
    expect(mine.get_by_role("button", name="Save wrap-up")).to_be_visible()


def _ana_hung_up(redis_client) -> bool:
    """Whether a job to hang up Ana's own call is queued."""
    queued = Queue("calls", connection=redis_client).jobs
    return any("hang_up" in job.func_name and job.args == ([ANA_LEG],) for job in queued)
