"""The live event stream: a line's events reach its specialists, with nothing about anyone."""

from __future__ import annotations

import json

from tests.dashboard.conftest import caller_arrives


def frames(response):
    for chunk in response.response:
        for frame in chunk.decode().split("\n\n"):
            if frame.startswith("data: "):
                yield json.loads(frame.removeprefix("data: "))


def test_a_caller_arriving_reaches_the_stream_as_a_bare_event(ana_browser, line, twilio, session):
    ana_browser.start_shift(line.id)
    response = ana_browser.get("/api/events", buffered=False)
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    stream = frames(response)
    next(iter(response.response))  # subscribed
    caller_arrives(twilio, session)
    assert next(stream) == {"type": "contact_waiting", "mine": False}
    response.close()


def test_nobody_off_shift_gets_a_stream(ana_browser):
    assert ana_browser.get("/api/events").status_code == 204
