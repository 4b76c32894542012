"""axe-core on every page a specialist or coordinator sees: no serious or critical finding."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_console import sign_in
from tests.browser.test_shift import start_shift, take_from_queue
from tests.console.conftest import make_person
from tests.dashboard.conftest import caller_arrives, caller_connects, caller_hangs_up, texter_sends
from tests.factories import make_line, make_specialist
from warmline.lines import assign_coordinator
from warmline.models import Role

# axe's impact levels that fail a page; "minor" and "moderate" are reported, not failed.
FAILING = frozenset({"serious", "critical"})
AXE = Axe()

# "/console/" is the page that refuses a specialist the console, with the way back.
SPECIALIST_PAGES = ["/dashboard", "/me", "/console/my-calendar", "/console/"]
CONSOLE_PAGES = [
    "/console/",
    "/console/people",
    "/console/audit",
    "/console/lines/{line}",
    "/console/lines/{line}/live",
    "/console/lines/{line}/roster",
    "/console/lines/{line}/settings",
    "/console/lines/{line}/scripts",
    "/console/lines/{line}/contacts",
    "/console/lines/{line}/blocks",
    "/console/lines/{line}/reports",
    "/console/lines/{line}/feedback",
]


def findings(page) -> list[str]:
    """Return axe's serious and critical findings on the page, one line each."""
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in FAILING
    ]


def test_axe_finds_what_it_should(page):
    page.set_content("<main><img src='x.png'><input type='text'></main>")
    found = findings(page)
    assert any(line.startswith("image-alt") for line in found), found
    assert any(line.startswith("label") for line in found), found


def test_the_sign_in_page_has_no_serious_finding(page, server):
    page.goto(f"{server}/sign-in")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert findings(page) == []


@pytest.mark.parametrize("path", SPECIALIST_PAGES)
def test_a_specialists_pages_have_no_serious_finding(page, server, session, path):
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    page.goto(f"{server}{path}")
    page.wait_for_load_state("networkidle")
    assert findings(page) == []


def test_a_shift_with_a_caller_and_a_texter_waiting_has_no_serious_finding(
    page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    start_shift(page)
    caller_arrives(twilio, session)
    texter_sends(twilio, session, "hi, is anyone there")
    expect(page.locator("#queue-list li")).to_have_count(2)
    assert findings(page) == []


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_the_consoles_pages_have_no_serious_finding(page, server, session, path):
    line = make_line(session, timezone="America/Chicago")
    cora = make_person(session, "Cora", Role.COORDINATOR)
    assign_coordinator(session, line, cora)
    session.commit()
    make_specialist(session, line)
    sign_in(page, server, cora.email)
    page.goto(f"{server}{path.format(line=line.id)}")
    page.wait_for_load_state("networkidle")
    assert findings(page) == []


def test_a_crisis_alert_has_no_serious_finding(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    start_shift(page)
    texter_sends(twilio, session, "I took all my pills an hour ago")
    expect(page.get_by_role("alert")).to_be_visible()
    assert findings(page) == []


def test_an_open_chat_has_no_serious_finding(page, server, session, twilio):
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = texter_sends(twilio, session, "hi, is anyone there")
    mine = take_from_queue(page, contact_id)
    expect(mine.get_by_role("textbox")).to_be_visible()
    assert findings(page) == []


def test_a_call_its_transfer_dialog_and_its_wrap_up_have_no_serious_finding(
    page, server, session, twilio
):
    line = make_line(session)
    ana = make_specialist(session, line)
    sign_in(page, server, ana.email)
    start_shift(page)
    contact_id = caller_arrives(twilio, session)
    mine = take_from_queue(page, contact_id)
    transfer = mine.get_by_role("button", name="Transfer to crisis line")
    expect(transfer).to_be_visible()
    caller_connects(twilio, session, contact_id)
    expect(transfer).to_be_enabled()
    assert findings(page) == [], "in a call"

    transfer.click()
    dialog = page.get_by_role("dialog", name="Transfer to the crisis line?")
    expect(dialog).to_be_visible()
    assert findings(page) == [], "the transfer dialog"
    dialog.get_by_role("button", name="Cancel").click()

    caller_hangs_up(twilio, session, contact_id)
    expect(mine.get_by_label("Crisis referral offered")).to_be_visible()
    assert findings(page) == [], "the wrap-up"
