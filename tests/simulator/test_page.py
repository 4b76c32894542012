"""A person can use the /simulator page: call, press keys, speak and text."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.services import wait_for
from warmline.simulator import page

LINE = "+15017122661"
CALLER = "+14155550123"
INCOMING = "/webhooks/voice/incoming"


@pytest.fixture
def browser(sim):
    app = Flask(__name__)
    page.init_app(app, sim)
    return app.test_client()


def test_a_person_calls_the_line_and_hears_the_greeting(browser, sim, script):
    script[INCOMING] = (
        "<Response><Gather numDigits='1' action='/menu'><Say>Welcome. Press 1.</Say>"
        "</Gather></Response>"
    )
    script["/menu"] = "<Response><Say>You pressed one.</Say><Pause length='60'/></Response>"
    browser.post("/simulator/phones", data={"number": CALLER})

    browser.post(f"/simulator/phones/{CALLER}/dial", data={"to": LINE})
    browser.post(f"/simulator/phones/{CALLER}/press", data={"digits": "1"})

    html = browser.get("/simulator/").get_data(as_text=True)
    assert "Welcome. Press 1." in html
    assert "You pressed one." in html
    assert "in-call" in html


def test_what_phones_hear_is_escaped(browser, sim, script):
    script[INCOMING] = "<Response><Say>&lt;b&gt;bold&lt;/b&gt;</Say></Response>"
    sim.phone(CALLER).dial(LINE)

    html = browser.get("/simulator/").get_data(as_text=True)

    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_page_has_no_inline_script(browser, sim):
    sim.phone(CALLER)
    html = browser.get("/simulator/").get_data(as_text=True)

    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert re.search(r"\son[a-z]+=", html) is None
    script = browser.get("/simulator/static/simulator.js")
    script.close()
    assert script.status_code == 200


def test_texting_from_the_page_shows_the_thread(browser, sim, script):
    script["/webhooks/sms/incoming"] = "<Response><Message>Hello back.</Message></Response>"
    browser.post(f"/simulator/phones/{CALLER}/text", data={"to": LINE, "body": "hello"})

    wait_for(sim.idle, timeout=10, what="the reply")
    html = browser.get("/simulator/").get_data(as_text=True)
    assert "hello" in html
    assert "Hello back." in html


def test_a_bad_number_is_refused(browser):
    response = browser.post("/simulator/phones", data={"number": "call me"})
    assert response.status_code == 400


def test_named_phones_show_whose_they_are_from_the_start(sim):
    app = Flask(__name__)
    page.init_app(app, sim, {"+15005550006": "Ana"})

    html = app.test_client().get("/simulator/").get_data(as_text=True)

    assert "Ana's phone · +15005550006" in html


def test_a_phone_shows_only_its_latest_call(browser, sim, script):
    script[INCOMING] = "<Response><Say>Hello, caller.</Say><Pause length='60'/></Response>"
    phone = sim.phone(CALLER)
    phone.dial(LINE)
    assert "Hello, caller." in browser.get("/simulator/").get_data(as_text=True)
    phone.hang_up()
    script[INCOMING] = "<Response><Say>Welcome back.</Say><Pause length='60'/></Response>"

    phone.dial(LINE)

    html = browser.get("/simulator/").get_data(as_text=True)
    assert "Welcome back." in html
    assert "Hello, caller." not in html


def test_the_phones_page_has_its_own_icon(browser):
    html = browser.get("/simulator/").get_data(as_text=True)

    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon, "the page names its icon"
    with browser.get(icon.group(1)) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
