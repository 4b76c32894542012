"""Signing in on the way to the console, in Chromium: a coordinator lands on the page asked
for, a specialist never reaches the console, and no `next=` leads off the site."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.console.conftest import PASSWORD, make_person
from tests.factories import make_line
from warmline.lines import assign_coordinator
from warmline.models import Role


def fill_sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def coordinated(session):
    line = make_line(session, timezone="America/Chicago")
    cora = make_person(session, "Cora", Role.COORDINATOR)
    assign_coordinator(session, line, cora)
    session.commit()
    return line, cora


def test_a_signed_out_coordinator_lands_on_the_console_page_they_opened(page, server, coordinated):
    line, cora = coordinated
    roster = f"{server}/console/lines/{line.id}/roster"
    page.goto(roster)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    fill_sign_in(page, cora.email)

    expect(page).to_have_url(roster)
    expect(page.get_by_role("heading", name="Roster: week of")).to_be_visible()
    shoot(page, "console-sign-in-landed")

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()
    page.get_by_role("link", name="Console").click()
    expect(page).to_have_url(f"{server}/console/")
    expect(page.get_by_role("heading", name="Your lines")).to_be_visible()


def test_a_specialist_has_no_console_link_and_cannot_open_the_console(
    page, server, session, coordinated
):
    line, _cora = coordinated
    ana = make_person(session, "Ana", phone="+14155550171", line_ids=[line.id])
    page.goto(f"{server}/console/")
    fill_sign_in(page, ana.email)

    # Sent to the console's sign-in, a specialist is refused there, not shown it.
    expect(page.get_by_text("Only coordinators can use the console.")).to_be_visible()
    page.goto(f"{server}/dashboard")
    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()
    expect(page.get_by_role("link", name="Console")).to_have_count(0)
    for path in ("/console/", f"/console/lines/{line.id}", "/console/people"):
        assert page.goto(f"{server}{path}").status == 403, path


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example", "/\\evil", "/console//evil.example", "/\\\\evil"],
)
def test_sign_in_never_leads_off_the_site(page, server, coordinated, target):
    _line, cora = coordinated
    page.goto(f"{server}/sign-in?{urlencode({'next': target})}")

    fill_sign_in(page, cora.email)

    expect(page.get_by_role("heading", name="Your shift")).to_be_visible()
    assert page.url == f"{server}/dashboard"
