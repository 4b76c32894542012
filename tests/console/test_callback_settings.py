"""A coordinator turns queued callbacks on or off, caps how many wait, and sets the retry wait."""

from __future__ import annotations

import pytest

from tests.console.test_console_pages import SETTINGS, Browser
from warmline.lines import assign_coordinator
from warmline.models import AuditEvent, Line


@pytest.fixture
def console(app, session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    browser = Browser(app.test_client())
    browser.sign_in(cora.email)
    return browser


def test_a_new_line_offers_callbacks_and_the_form_says_what_they_do(console, line):
    page = console.page(f"/console/lines/{line.id}/settings")
    assert line.callbacks_enabled is True
    assert '<option value="on" selected' in page
    assert "Call backs for waiting callers" in page
    assert 'name="max_pending_callbacks" type="number" min="1" max="100"' in page
    assert 'name="callback_retry_seconds" type="number" min="10" max="3600"' in page


def test_callbacks_are_turned_off_capped_and_timed_and_the_change_audited(console, session, line):
    path = f"/console/lines/{line.id}/settings"
    changed = {
        **SETTINGS,
        "callbacks": "off",
        "max_pending_callbacks": "2",
        "callback_retry_seconds": "60",
    }
    assert console.post(path, changed).status_code == 303
    session.expire_all()
    saved = session.get(Line, line.id)
    assert (saved.callbacks_enabled, saved.max_pending_callbacks) == (False, 2)
    assert saved.callback_retry_seconds == 60
    assert '<option value="off" selected' in console.page(path)
    log = console.page("/console/audit")
    assert "offer of a call back to waiting callers from on to off" in log
    assert "wait before a call back is tried again from 3 to 1 minutes" in log
    assert session.query(AuditEvent).filter_by(action="line.update").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("callbacks", "maybe"),
        ("max_pending_callbacks", "0"),
        ("max_pending_callbacks", "101"),
        ("callback_retry_seconds", "9"),
        ("callback_retry_seconds", "ten"),
    ],
)
def test_a_bad_callback_setting_is_refused_beside_its_field_and_nothing_changes(
    console, session, line, field, value
):
    refused = console.post(f"/console/lines/{line.id}/settings", {**SETTINGS, field: value})
    assert refused.status_code == 422
    assert f'id="{field}_error"' in refused.text
    session.expire_all()
    saved = session.get(Line, line.id)
    assert (saved.callbacks_enabled, saved.max_pending_callbacks) == (True, 5)
    assert saved.callback_retry_seconds == 180


def test_the_callback_settings_are_said_in_spanish(console, session, line, cora):
    cora.interface_language = "es"
    session.commit()
    page = console.page(f"/console/lines/{line.id}/settings")
    assert "Devoluciones de llamada" in page
