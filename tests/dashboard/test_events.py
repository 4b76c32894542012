"""The live event stream: a line's events reach its specialists, with nothing about anyone."""

from __future__ import annotations

import json

from tests.dashboard.conftest import caller_arrives
from tests.services import wait_for
from warmline.dashboard.events import STREAMS_PER_PERSON, STREAMS_PER_PROCESS
from warmline.live import LiveLine, StreamCaps


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


def test_a_closed_stream_frees_its_place_for_the_next_tab(ana_browser, line):
    ana_browser.start_shift(line.id)
    tabs = [ana_browser.get("/api/events", buffered=False) for _ in range(STREAMS_PER_PERSON)]
    assert [tab.status_code for tab in tabs] == [200] * STREAMS_PER_PERSON
    assert ana_browser.get("/api/events").status_code == 204

    tabs.pop().close()

    again = ana_browser.get("/api/events", buffered=False)
    assert again.status_code == 200
    for tab in [*tabs, again]:
        tab.close()


def test_a_line_holds_only_so_many_streams_whoever_opens_them(redis_client, line):
    live = LiveLine(redis_client, line.id)
    caps = StreamCaps(per_person=2, per_line=3, lasts_ms=60_000)

    admitted = [live.open_stream(person, f"tab{person}", caps) for person in (1, 2, 3, 4)]

    assert admitted == ["ok", "ok", "ok", "line"]
    live.close_stream(2, "tab2")
    assert live.open_stream(4, "tab4", caps) == "ok"


def test_a_stream_whose_process_died_stops_counting_when_it_expires(redis_client, line):
    live = LiveLine(redis_client, line.id)
    caps = StreamCaps(per_person=1, per_line=10, lasts_ms=50)
    assert live.open_stream(7, "lost", caps) == "ok"
    assert live.open_stream(7, "new", caps) == "person"

    wait_for(
        lambda: live.open_stream(7, "new", caps) == "ok",
        timeout=5,
        what="the lost stream to expire",
    )
    assert redis_client.pttl(live.prefix + "streams") <= 50


def test_the_stream_keys_name_nothing_but_ids(redis_client, ana_browser, line):
    ana_browser.start_shift(line.id)
    tab = ana_browser.get("/api/events", buffered=False)
    [key] = redis_client.keys("*streams*")
    [member] = redis_client.zrange(key, 0, -1)
    assert key == f"warmline:{{line:{line.id}}}:streams".encode()
    assert member.split(b":")[0].isdigit()
    tab.close()
    assert redis_client.zcard(key) == 0


def test_streams_take_at_most_half_of_a_web_process():
    from config import gunicorn

    assert gunicorn.worker_class == "gevent"
    assert gunicorn.worker_connections >= STREAMS_PER_PROCESS * 2
