"""Closing the last dashboard ends a specialist's availability, across gunicorn's processes:
each open event stream marks them seen in Redis, and the clock process's sweep signs off
whoever has had none open for longer than WARMLINE_PRESENCE_GRACE_SECONDS."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from config.settings import TIMERS
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e.stack import RedisServer, Stack, running_stack
from tests.e2e.test_streams import open_stream, signed_in
from tests.services import wait_for
from warmline.dashboard.events import HEARTBEAT_SECONDS

# Above the streams' 10 s heartbeat, so an open stream beats within every grace period.
GRACE_SECONDS = 12
DEADLINE = 30
# The clock's sweep at its shortest: how long past the grace a sign-off can come.
PRESENCE_SWEEP_EVERY_SECONDS = TIMERS["presence_sweep_every_seconds"].least


@pytest.fixture(scope="module")
def stack(
    e2e_redis: RedisServer, e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The whole line, two web processes, with a short presence grace."""
    with running_stack(
        tmp_path_factory.mktemp("e2e-presence"),
        database_url=e2e_database_url,
        redis_server=e2e_redis,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        web_concurrency=2,
        presence_grace_seconds=GRACE_SECONDS,
        timers={"presence_sweep_every_seconds": PRESENCE_SWEEP_EVERY_SECONDS},
    ) as running:
        yield running


def test_the_last_stream_closing_ends_availability_and_the_next_caller_rings_another(scenario):
    base_url = scenario.stack.settings.public_url
    line = scenario.line()
    bo = scenario.specialist(line, "Bo")
    ana = scenario.specialist(line, "Ana", on_shift=False)
    browser = signed_in(base_url, ana.email)
    started = browser.post(
        f"{base_url}/api/shift/start",
        json={"line_id": line.id},
        headers={"X-CSRF-Token": _csrf(browser, base_url)},
        timeout=10,
    )
    assert started.status_code == 200, started.text
    tabs = [open_stream(browser, base_url) for _ in range(2)]
    live = scenario.live(line)
    try:
        assert all(tab.status_code == 200 for tab in tabs)
        tabs[0].close()
        kept_until = time.monotonic() + GRACE_SECONDS + 2 * PRESENCE_SWEEP_EVERY_SECONDS

        def kept_on_shift_past_the_grace() -> bool:
            assert ana.id in live.present(), "one tab is still open"
            return time.monotonic() > kept_until

        wait_for(
            kept_on_shift_past_the_grace,
            timeout=2 * (GRACE_SECONDS + 2 * PRESENCE_SWEEP_EVERY_SECONDS),
            what="the open tab to keep Ana on shift past the grace",
        )
    finally:
        tabs[1].close()
    closed = time.monotonic()
    wait_for(
        lambda: ana.id not in live.present(),
        timeout=GRACE_SECONDS + DEADLINE,
        what="the clock to sign Ana off once her last tab closed",
    )
    # Last seen at the stream's last heartbeat, up to one heartbeat before it closed.
    assert time.monotonic() - closed >= GRACE_SECONDS - HEARTBEAT_SECONDS
    assert live.present() == [bo.id], "Bo, on the phone alone, stays on shift"

    caller = scenario.phone()
    caller.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(caller), what="the caller waits on hold")
    wait_for(lambda: bo.phone.ringing, timeout=DEADLINE, what="a worker to ring Bo")
    assert not ana.phone.ringing
    assert browser.get(f"{base_url}/api/shift", timeout=10).json() == {
        "on_shift": False,
        "status": "offline",
    }
    caller.hang_up()


def _csrf(browser: requests.Session, base_url: str) -> str:
    return browser.get(f"{base_url}/api/session", timeout=10).json()["csrf_token"]
