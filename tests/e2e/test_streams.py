"""Open dashboards against real gunicorn: their live streams never delay a Twilio webhook."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.e2e.stack import PASSWORD
from warmline.dashboard.events import STREAMS_PER_PERSON
from warmline.simulator import APPLICATION_ERROR

# gthread's 2 processes of 4 threads were all held by this many streams (issue 19).
STREAMS = 8
# A webhook answers in milliseconds; Twilio gives up at 15 s. This only bounds the wait.
WEBHOOK_SECONDS = 5


def signed_in(base_url: str, email: str) -> requests.Session:
    browser = requests.Session()
    csrf = browser.get(f"{base_url}/api/session", timeout=10).json()["csrf_token"]
    response = browser.post(
        f"{base_url}/api/session",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return browser


@pytest.fixture
def open_streams() -> Iterator[list[requests.Response]]:
    opened: list[requests.Response] = []
    yield opened
    for response in opened:
        response.close()


def open_stream(browser: requests.Session, base_url: str) -> requests.Response:
    # Connect and read timeouts: a stream that cannot even start fails the test.
    return browser.get(f"{base_url}/api/events", stream=True, timeout=(5, 10))


def test_open_dashboards_never_delay_an_incoming_call(scenario, open_streams):
    base_url = scenario.stack.settings.public_url
    line = scenario.line()
    people = [scenario.specialist(line, name) for name in ("Ana", "Bo", "Cy")]
    browsers = [signed_in(base_url, person.email) for person in people]
    for index in range(STREAMS):
        response = open_stream(browsers[index % len(browsers)], base_url)
        open_streams.append(response)
        assert response.status_code == 200
        assert next(response.iter_lines()) == b"retry: 2000"

    caller = scenario.phone()
    started = time.monotonic()
    caller.dial(line.twilio_number)
    answered_in = time.monotonic() - started

    assert APPLICATION_ERROR not in caller.heard
    assert any("Riverside Warm Line" in words for words in caller.heard), caller.heard
    assert answered_in < WEBHOOK_SECONDS
    assert scenario.errors() == []


def test_a_person_streams_in_a_few_tabs_and_the_rest_poll(scenario, open_streams):
    base_url = scenario.stack.settings.public_url
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    browser = signed_in(base_url, ana.email)
    for _ in range(STREAMS_PER_PERSON):
        open_streams.append(open_stream(browser, base_url))
    assert [response.status_code for response in open_streams] == [200] * STREAMS_PER_PERSON

    one_more = open_stream(browser, base_url)
    assert one_more.status_code == 204
