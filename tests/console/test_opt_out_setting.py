"""A coordinator says who answers STOP, START and HELP texts: Twilio (its default) or the line."""

from __future__ import annotations

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


def test_a_new_line_leaves_keywords_to_twilio_and_the_form_says_so(console, line):
    page = console.page(f"/console/lines/{line.id}/settings")

    assert line.twilio_opt_out is True
    assert '<option value="twilio" selected' in page
    assert "Who answers STOP, START and HELP texts" in page


def test_the_line_can_answer_keywords_itself_and_back_again(console, session, line):
    path = f"/console/lines/{line.id}/settings"

    assert console.post(path, {**SETTINGS, "opt_out_handling": "line"}).status_code == 303
    session.expire_all()
    assert session.get(Line, line.id).twilio_opt_out is False
    assert '<option value="line" selected' in console.page(path)

    assert console.post(path, {**SETTINGS, "opt_out_handling": "twilio"}).status_code == 303
    session.expire_all()
    assert session.get(Line, line.id).twilio_opt_out is True


def test_an_unknown_choice_is_refused_and_nothing_changes(console, session, line):
    path = f"/console/lines/{line.id}/settings"

    refused = console.post(path, {**SETTINGS, "opt_out_handling": "nobody"})

    session.expire_all()
    assert session.get(Line, line.id).twilio_opt_out is True
    assert refused.status_code == 422
    assert 'id="opt_out_handling_error"' in refused.text
    assert "Choose who answers STOP, START and HELP texts" in refused.text
