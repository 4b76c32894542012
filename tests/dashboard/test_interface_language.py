"""Which language the dashboard speaks: the person's choice, else their browser's, else English."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from warmline.models import User
from warmline.web import i18n

SPANISH_BROWSER = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def _page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def _script_words(response) -> dict:
    html = response.get_data(as_text=True)
    content = re.search(r"<meta name=\"script-words\" content='([^']*)'>", html)
    return json.loads(unescape(content.group(1)))


def _choose(browser, language: str, next_page: str = "/dashboard"):
    return browser.client.post(
        "/language", data={"language": language, "next": next_page, "csrf_token": browser.token()}
    )


def test_someone_who_has_not_chosen_gets_the_language_their_browser_asks_for(ana_browser):
    response = ana_browser.get("/dashboard", headers=SPANISH_BROWSER)

    assert _page_language(response) == "es"
    assert "Tu turno" in response.get_data(as_text=True)


def test_a_browser_asking_for_a_language_the_interface_lacks_gets_english(ana_browser):
    response = ana_browser.get("/dashboard", headers={"Accept-Language": "fr-CA,fr;q=0.9"})

    assert _page_language(response) == "en"
    assert "Your shift" in response.get_data(as_text=True)


def test_without_a_choice_or_a_browser_preference_the_page_is_english(client):
    assert _page_language(client.get("/sign-in")) == "en"


def test_the_persons_choice_wins_over_their_browser(ana_browser, session, ana):
    response = _choose(ana_browser, "en")

    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    session.expire_all()
    assert session.get(User, ana.id).interface_language == "en"
    assert _page_language(ana_browser.get("/dashboard", headers=SPANISH_BROWSER)) == "en"


def test_the_choice_is_kept_with_the_person_across_sign_out_and_in(app, ana_browser, browser, ana):
    _choose(ana_browser, "es")
    ana_browser.post("/sign-out")

    browser.sign_in(ana.email)
    response = browser.get("/dashboard", headers={"Accept-Language": "en-US"})

    assert _page_language(response) == "es"


@pytest.mark.parametrize("bad", ["fr", "", "es'><script>", "x" * 5000])
def test_a_language_the_interface_is_not_written_in_is_refused(ana_browser, session, ana, bad):
    response = _choose(ana_browser, bad)

    assert response.status_code == 400
    session.expire_all()
    assert session.get(User, ana.id).interface_language is None


def test_going_back_after_choosing_stays_on_this_site(ana_browser):
    for elsewhere in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/me\r\nSet-Cookie: x=1",
        "/me\x00",
        "/" + "a" * 600,
    ):
        response = _choose(ana_browser, "es", elsewhere)
        assert response.status_code == 303
        assert response.headers["Location"] == "/dashboard"
    assert _choose(ana_browser, "es", "/me").headers["Location"] == "/me"
    reports = "/console/lines/1/reports?from=2026-11-01&to=2026-11-28"
    assert _choose(ana_browser, "es", reports).headers["Location"] == reports


def test_choosing_needs_a_signed_in_person_and_the_forms_token(client, ana_browser):
    assert client.post("/language", data={"language": "es"}).status_code == 403
    response = ana_browser.client.post("/language", data={"language": "es"})
    assert response.status_code == 403


def test_the_page_hands_its_script_the_words_in_spanish_and_none_in_english(ana_browser):
    spanish = _script_words(ana_browser.get("/dashboard", headers=SPANISH_BROWSER))
    english = _script_words(ana_browser.get("/dashboard"))

    assert spanish["Accept"] == "Aceptar"
    assert spanish["first contact this month"] == [
        "primer contacto este mes",
        "{count} contactos este mes",
    ]
    # The console's live board reads the same table: one catalogue for both.
    assert spanish["Nobody is on shift."] == "No hay nadie de turno."
    assert english == {}


def test_a_moment_is_written_the_way_the_language_writes_it_in_the_lines_timezone(app):
    at = datetime(2026, 12, 4, 0, 58, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert i18n.moment(at, "America/Chicago") == "3 dic 2026, 18:58"
        assert i18n.weekday_date(at, "America/Chicago") == "jue, 3 dic 2026"
    with app.test_request_context(headers={"Accept-Language": "en-US"}):
        assert i18n.moment(at, "America/Chicago") == "Dec 3, 2026, 6:58\u202fPM"
        assert i18n.clock_time(at, "America/Chicago") == "6:58\u202fPM"
    with app.app_context():
        assert i18n.moment(None) == ""
