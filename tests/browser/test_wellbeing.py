"""Wellbeing in Chromium: "Check in with me" reaching a coordinator's console, and the
recovery break's panel, its countdown and its way out."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.test_accessibility import findings
from tests.browser.test_crisis_alert import IMMINENT, RECORDERS, recorded
from tests.browser.test_shift import sign_in, start_shift
from tests.console.conftest import make_person
from tests.dashboard.conftest import texter_sends
from tests.factories import make_line, make_specialist
from warmline import coordinators
from warmline.lines import assign_coordinator
from warmline.live import LiveLine, now_ms
from warmline.models import Role


def recovering(app, line, specialist, seconds: int) -> None:
    """Put the specialist on a recovery break, as the end of a crisis call does."""
    live = LiveLine(app.extensions["warmline"].redis, line.id)
    start = now_ms()
    live.go_available(
        specialist.id,
        specialist.languages,
        ready_ms=start + seconds * 1000,
        status="recovery",
        recovery_from_ms=start,
    )


def coordinator_watching(chromium, server, session, line):
    """Cora, the line's coordinator, with its roster open in a page of her own; return that
    page and its (hidden) notices banner."""
    cora = make_person(session, "Cora", Role.COORDINATOR)
    assign_coordinator(session, line, cora)
    session.commit()
    console = chromium.new_context().new_page()
    console.add_init_script(RECORDERS)
    sign_in(console, server, cora.email)
    console.goto(f"{server}/console/lines/{line.id}/roster")
    # The console asks for notices at once: from then on Cora counts as on shift.
    console.wait_for_load_state("networkidle")
    alert = console.locator("#notices")
    expect(alert).to_be_hidden()
    return console, alert


def test_check_in_with_me_alerts_the_coordinator_on_the_console_with_sound(
    page, chromium, server, session
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    console, alert = coordinator_watching(chromium, server, session, line)
    sign_in(page, server, ana.email)
    start_shift(page)

    page.get_by_role("button", name="Check in with me").click()

    expect(page.locator("#check-in-said")).to_have_text(
        "Sent to Cora. Someone will check in with you."
    )
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Ana asks you to check in with them (Riverside Warm Line")
    console.wait_for_function("window.recorded.tones > 0")
    assert "crisis" not in (alert.get_attribute("class") or ""), "never dressed as a crisis"
    shoot(console, "check-in-console")
    assert findings(console) == []
    tones = recorded(console)["tones"]

    # Seen: it stays dismissed after the next asks, and sounds only once.
    alert.get_by_role("button", name="Done: I am checking in with Ana").click()
    expect(alert).to_be_hidden()
    console.reload()
    console.wait_for_load_state("networkidle")
    expect(alert).to_be_hidden()
    assert recorded(console)["tones"] in (0, tones)
    console.context.close()


def test_with_no_coordinator_on_the_console_the_specialist_is_told_so(page, server, session):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)

    page.get_by_role("button", name="Check in with me").click()

    expect(page.locator("#check-in-said")).to_contain_text(
        "No coordinator has the console open right now, so nobody could be told."
    )


def test_the_recovery_panel_counts_down_and_im_ready_ends_it(app, page, server, session):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)

    recovering(app, line, ana, 300)
    page.reload()

    panel = page.locator("#recovery")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading")).to_have_text("Recovery break — 5 min")
    expect(page.locator("#recovery-countdown")).to_contain_text("Offers start again in 4:")
    expect(page.locator("#status-badge")).to_contain_text("Recovery break")
    expect(page.get_by_role("button", name="Check in with me")).to_be_visible()
    shoot(page, "recovery-panel")
    assert findings(page) == []

    panel.get_by_role("button", name="5 more minutes").click()
    expect(page.locator("#recovery-countdown")).to_contain_text("Offers start again in 9:")

    panel.get_by_role("button", name="I'm ready").click()
    expect(page.locator("#status-badge")).to_have_text("Available")
    expect(panel).to_be_hidden()


def test_a_break_that_runs_out_ends_on_the_page_by_itself(app, page, server, session):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)

    recovering(app, line, ana, 3)
    page.reload()

    expect(page.locator("#recovery")).to_be_visible()
    expect(page.locator("#status-badge")).to_have_text("Available", timeout=10_000)
    expect(page.locator("#recovery")).to_be_hidden()


def test_a_crisis_texter_waiting_during_a_recovery_break_is_the_specialists_choice(
    app, page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    sign_in(page, server, ana.email)
    start_shift(page)
    recovering(app, line, ana, 300)
    page.reload()
    expect(page.locator("#recovery")).to_be_visible()

    texter_sends(twilio, session, IMMINENT)

    alert = page.locator("#crisis-alert")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("button", name="Accept the crisis contact")).to_be_hidden()
    expect(page.locator("#crisis-why")).to_have_text(
        "You are on a recovery break, so the line does not offer them to you. "
        "If you feel ready to take them, press I'm ready."
    )
    page.locator("#recovery").get_by_role("button", name="I'm ready").click()
    expect(alert.get_by_role("button", name="Accept the crisis contact")).to_be_visible()


def test_the_lines_warning_of_someone_in_crisis_waiting_reaches_the_console_with_sound(
    chromium, server, session, app
):
    line = make_line(session)
    console, alert = coordinator_watching(chromium, server, session, line)

    coordinators.warn(app.extensions["warmline"].redis, line.id, "crisis_waiting", at_ms=now_ms())

    expect(alert).to_be_visible()
    expect(alert).to_contain_text(
        "Someone showing crisis signs has waited over a minute and nobody free has taken them"
        " (Riverside Warm Line"
    )
    console.wait_for_function("window.recorded.tones > 0")
    assert findings(console) == []
    alert.get_by_role("button", name="Seen: someone showing crisis signs is waiting").click()
    expect(alert).to_be_hidden()
    console.context.close()
