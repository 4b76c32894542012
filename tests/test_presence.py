"""Presence: a specialist's dashboards, in any web process on any host, keep them on shift;
once the last has been closed for longer than the grace, the sweep ends their availability.

Against a real Redis, each web process its own connection; time is an input (`at_ms`).
"""

from __future__ import annotations

import redis

from tests.factories import make_line, make_specialist, on_shift
from warmline import presence
from warmline.live import LiveLine

GRACE_MS = 180_000
OPENED_MS = 1_800_000_000_000


def sweep(app, session, line, at_ms: int) -> int:
    services = app.extensions["warmline"]
    return presence.end_absent_shifts(
        session, services.redis, services.jobs, line_id=line.id, grace_ms=GRACE_MS, at_ms=at_ms
    )


def test_a_tab_open_in_another_process_keeps_the_specialist_on_shift(app, session, redis_url):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    on_shift(app, session, line, ana)
    web_1, web_2 = redis.Redis.from_url(redis_url), redis.Redis.from_url(redis_url)
    LiveLine(web_1, line.id).saw(ana.id, OPENED_MS)
    LiveLine(web_2, line.id).saw(ana.id, OPENED_MS + 100_000)
    # A stale beat arriving late from the first process never moves her last sighting back.
    LiveLine(web_1, line.id).saw(ana.id, OPENED_MS + 1_000)

    assert sweep(app, session, line, OPENED_MS + GRACE_MS + 50_000) == 0
    assert LiveLine(web_1, line.id).present() == [ana.id]

    assert sweep(app, session, line, OPENED_MS + 100_000 + GRACE_MS + 1) == 1
    assert LiveLine(web_2, line.id).present() == []
    assert LiveLine(web_2, line.id).specialist(ana.id) == {}


def test_a_shift_on_the_phone_alone_is_not_ended_for_want_of_a_dashboard(app, session):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    on_shift(app, session, line, ana)
    assert sweep(app, session, line, OPENED_MS + 10 * GRACE_MS) == 0
    assert LiveLine(app.extensions["warmline"].redis, line.id).present() == [ana.id]


def test_a_dashboard_seen_after_the_shift_ended_does_not_follow_the_next_phone_only_shift(
    app, session
):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    live = LiveLine(app.extensions["warmline"].redis, line.id)
    on_shift(app, session, line, ana)
    live.saw(ana.id, OPENED_MS)
    assert sweep(app, session, line, OPENED_MS + GRACE_MS + 1) == 1
    live.saw(ana.id, OPENED_MS + GRACE_MS + 2)  # a last beat from a closing stream

    on_shift(app, session, line, ana)
    assert sweep(app, session, line, OPENED_MS + 10 * GRACE_MS) == 0
    assert live.present() == [ana.id]


def test_an_absent_specialist_on_a_call_keeps_it_and_goes_off_shift_once_it_is_over(app, session):
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana")
    live = LiveLine(app.extensions["warmline"].redis, line.id)
    on_shift(app, session, line, ana)
    live.saw(ana.id, OPENED_MS)
    live.client.hset(live.prefix + f"specialist:{ana.id}", "status", "on_call")

    assert sweep(app, session, line, OPENED_MS + GRACE_MS + 1) == 1
    assert live.specialist(ana.id)["status"] == "on_call"
    assert live.signing_off(ana.id)
    assert ana.id not in live.free_specialists(OPENED_MS * 2)
    assert sweep(app, session, line, OPENED_MS + GRACE_MS + 10_000) == 0, "signed off once"

    live.client.hset(live.prefix + f"specialist:{ana.id}", "status", "wrap_up")
    sweep(app, session, line, OPENED_MS + GRACE_MS + 20_000)
    assert live.present() == []
