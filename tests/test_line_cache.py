"""The lines webhooks look up by number, kept per process: never stale beyond a bounded moment,
whichever process or host made the change."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import update

from tests.factories import LINE_NUMBER, make_line
from tests.services import free_port
from warmline.lines import (
    LINES_CHECK_SECONDS,
    LINES_MAX_AGE_SECONDS,
    LINES_VERSION_KEY,
    LineCache,
    context,
)
from warmline.models import Line, LineScript

CLOSED_ALL_WEEK: dict[str, list[list[str]]] = {}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


@pytest.fixture
def services(app):
    return app.extensions["warmline"]


@pytest.fixture
def line(session):
    return make_line(session, crisis_number="+18002738255")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def elsewhere(services, clock):
    """Another web process's cache, on another host: the same Redis, its own memory."""
    return LineCache(services.redis, now=clock)


def seen_by(cache: LineCache, services) -> dict:
    """Return what a webhook in that process would answer the line's callers by."""
    with services.sessions() as session:
        found = cache.find(session, LINE_NUMBER)
        return {
            "opening_hours": found.opening_hours,
            "crisis_number": found.crisis_number,
            "context": context(found),
        }


def test_a_line_closed_in_one_process_is_closed_in_every_other_within_the_check(
    session, line, services, elsewhere, clock
):
    assert seen_by(elsewhere, services)["opening_hours"] != CLOSED_ALL_WEEK
    line.opening_hours = CLOSED_ALL_WEEK
    line.crisis_number = "+18005551234"
    session.commit()
    clock.advance(LINES_CHECK_SECONDS)
    seen = seen_by(elsewhere, services)
    assert seen["opening_hours"] == CLOSED_ALL_WEEK
    assert seen["context"].crisis_number == "+18005551234"


def test_the_process_that_made_the_change_sees_it_at_once(session, line, services):
    assert seen_by(services.lines, services)["crisis_number"] == "+18002738255"
    line.crisis_number = "+18005551234"
    session.commit()
    assert seen_by(services.lines, services)["crisis_number"] == "+18005551234"


def test_a_changed_script_reaches_every_process(session, line, services, elsewhere, clock):
    assert seen_by(elsewhere, services)["context"].scripts == {}
    session.add(
        LineScript(
            line_id=line.id, kind="caller", channel="sms", language="en", text="Call 988 now."
        )
    )
    session.commit()
    clock.advance(LINES_CHECK_SECONDS)
    assert seen_by(elsewhere, services)["context"].scripts == {
        ("caller", "sms", "en"): "Call 988 now."
    }


def test_a_change_rolled_back_tells_no_process(session, line, services):
    token = services.redis.get(LINES_VERSION_KEY)
    line.crisis_number = "+18005551234"
    session.flush()
    session.rollback()
    session.add(Line(name="Another", twilio_number="+15005550006"))
    session.flush()
    session.rollback()
    assert services.redis.get(LINES_VERSION_KEY) == token


def test_a_change_whose_news_never_reached_redis_is_seen_after_the_longest_keep(
    session, line, services, elsewhere, clock
):
    assert seen_by(elsewhere, services)["crisis_number"] == "+18002738255"
    # Written past the ORM, as a hand-run SQL fix would be: no token is put in Redis.
    session.execute(update(Line).values(crisis_number="+18005551234"))
    session.commit()
    clock.advance(LINES_MAX_AGE_SECONDS - 1)
    assert seen_by(elsewhere, services)["crisis_number"] == "+18002738255"
    clock.advance(1)
    assert seen_by(elsewhere, services)["crisis_number"] == "+18005551234"


def test_redis_losing_the_token_makes_every_process_read_lines_again(
    session, line, services, elsewhere, clock
):
    line.crisis_number = "+18005551234"
    session.commit()
    assert seen_by(elsewhere, services)["crisis_number"] == "+18005551234"
    session.execute(update(Line).values(crisis_number="+18002738255"))
    session.commit()
    services.redis.flushall()
    clock.advance(LINES_CHECK_SECONDS)
    assert seen_by(elsewhere, services)["crisis_number"] == "+18002738255"


def test_while_redis_is_unreachable_every_lookup_reads_the_database(session, line, services):
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2, socket_timeout=0.2)
    clock = Clock()
    cache = LineCache(dead, now=clock)
    assert seen_by(cache, services)["crisis_number"] == "+18002738255"
    session.execute(update(Line).values(crisis_number="+18005551234"))
    session.commit()
    assert seen_by(cache, services)["crisis_number"] == "+18005551234"
    clock.advance(LINES_CHECK_SECONDS)
    assert seen_by(cache, services)["crisis_number"] == "+18005551234"


def test_a_number_no_line_answers_is_none(services, line, elsewhere):
    with services.sessions() as session:
        assert elsewhere.find(session, "+15005550006") is None
        assert elsewhere.find(session, "not a number") is None
