"""The transfer to the crisis line through gunicorn, RQ workers and the Twilio simulator.

The counselor's leg is shown as it happens: each status callback Twilio sends for it
(https://www.twilio.com/docs/voice/api/conference-participant-resource, `StatusCallbackEvent`)
reaches the specialist's open event stream then, not at the page's next poll.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from tests.e2e.test_handoff import (
    DEADLINE,
    handoff_state,
    in_conversation,
)
from tests.services import wait_for
from warmline.simulator import APPLICATION_ERROR


class Stream:
    """A dashboard's live event stream, read in the background like EventSource does."""

    def __init__(self, http: requests.Session, base_url: str) -> None:
        self.events: list[dict] = []
        self._closing = threading.Event()
        self._response = http.get(f"{base_url}/api/events", stream=True, timeout=(5, 70))
        assert self._response.status_code == 200
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for line in self._response.iter_lines():
                if line.startswith(b"data: "):
                    self.events.append(json.loads(line[len(b"data: ") :]))
        except Exception:
            # Closing the response under a read ends it with whatever the closed file raises.
            if not self._closing.is_set():
                raise

    def count(self, kind: str) -> int:
        return sum(1 for event in self.events if event["type"] == kind)

    def close(self) -> None:
        self._closing.set()
        # Shutting the socket wakes the reader at once; closing the response alone would
        # leave it blocked until the next heartbeat. A stream the server ended has none.
        connection = self._response.raw.connection
        if connection is not None and connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)
        self._response.close()
        self._reader.join(timeout=10)


@pytest.fixture
def streams() -> Iterator[list[Stream]]:
    opened: list[Stream] = []
    yield opened
    for stream in opened:
        stream.close()


def test_each_step_of_the_counselor_leg_reaches_the_dashboard_as_an_event(
    scenario,
    open_dashboard,
    streams,
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()
    contact_id = in_conversation(scenario, line, ana, caller)
    dashboard = open_dashboard(ana)
    stream = Stream(dashboard.http, dashboard.base_url)
    streams.append(stream)

    assert dashboard.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    wait_for(lambda: stream.count("crisis_transfer") >= 1, timeout=DEADLINE, what="dialing, live")
    wait_for(lambda: crisis_line.ringing, timeout=DEADLINE, what="a worker to dial the crisis line")

    scenario.advance_until(lambda: crisis_line.state == "in-call", what="the crisis line answers")
    # The state is there the moment the callback was handled, and it came as an event.
    assert handoff_state(dashboard, contact_id) == "answered"
    wait_for(
        lambda: stream.count("crisis_transfer") >= 3,
        timeout=DEADLINE,
        what="ringing and answered on the stream, not at the next poll",
    )

    assert dashboard.post(f"/api/contacts/{contact_id}/counselor-joined").status_code == 200
    wait_for(lambda: stream.count("crisis_transfer") >= 4, timeout=DEADLINE, what="joined, live")
    crisis_line.hang_up()
    wait_for(
        lambda: handoff_state(dashboard, contact_id) == "left",
        timeout=DEADLINE,
        what="the counselor's leaving on the dashboard",
    )
    assert stream.count("crisis_transfer") >= 5
    assert APPLICATION_ERROR not in caller.heard
    assert scenario.errors() == []
    caller.hang_up()


def test_the_wrap_up_after_a_transfer_counts_a_crisis_referral(
    scenario,
    open_dashboard,
):
    line = scenario.line()
    ana = scenario.specialist(line, "Ana")
    crisis_line = scenario.sim.phone(line.crisis_number).answers_after(rings=1)
    caller = scenario.phone()
    contact_id = in_conversation(scenario, line, ana, caller)
    dashboard = open_dashboard(ana)
    assert dashboard.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    wait_for(lambda: crisis_line.ringing, timeout=DEADLINE, what="a worker to dial the crisis line")

    caller.hang_up()

    def mine() -> dict:
        response = dashboard.http.get(f"{dashboard.base_url}/api/queue", timeout=10)
        return next(c for c in response.json()["mine"] if c["id"] == contact_id)

    wait_for(lambda: mine()["state"] == "wrap_up", timeout=DEADLINE, what="Ana in wrap-up")
    assert mine()["crisis_referred"] is True
    assert scenario.errors() == []
