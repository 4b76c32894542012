"""A coordinator sets how long a crisis flag carries over to the same caller's next contact."""

from __future__ import annotations

import html

import pytest

from tests.console.test_console_pages import SETTINGS, Browser
from warmline.lines import assign_coordinator
from warmline.models import Line


@pytest.fixture
def console(app, session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(cora.email)
    return browser


def test_a_new_line_carries_a_flag_for_a_day_and_the_form_explains_it(console, line):
    page = html.unescape(console.page(f"/console/lines/{line.id}/settings"))

    assert line.crisis_carry_hours == 24
    assert 'id="crisis_carry_hours"' in page and 'value="24"' in page
    assert "the same caller's next call or text is flagged" in page
    assert "0 turns this off" in page


@pytest.mark.parametrize("hours", [0, 48, 168])
def test_the_period_is_saved_and_0_turns_it_off(console, session, line, hours):
    path = f"/console/lines/{line.id}/settings"

    response = console.post(path, {**SETTINGS, "crisis_carry_hours": str(hours)})

    assert response.status_code == 303
    session.expire_all()
    assert session.get(Line, line.id).crisis_carry_hours == hours


@pytest.mark.parametrize("hours", ["-1", "169", "a day"])
def test_a_period_out_of_range_is_refused_and_nothing_changes(console, session, line, hours):
    path = f"/console/lines/{line.id}/settings"

    console.post(path, {**SETTINGS, "crisis_carry_hours": hours})

    session.expire_all()
    assert session.get(Line, line.id).crisis_carry_hours == 24
