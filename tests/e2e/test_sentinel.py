"""High availability: the line runs on Redis Sentinel, and callers keep being answered while its
primary is SIGKILLed under a steady load of calls and texts and Sentinel promotes the replica.

Real redis-servers (a primary, a replica, three Sentinels), gunicorn, RQ workers and the clock
on the `redis+sentinel://` URL; the simulator stands in for Twilio and checks every webhook's
TwiML. The figures it prints (`-s`) are what the report quotes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e.stack import SentinelRedis, Stack, running_stack
from tests.e2e.test_calls import CONNECTED, WHISPER, heard
from tests.e2e.test_texts import received
from tests.services import wait_for
from warmline.simulator import APPLICATION_ERROR, Phone

# A new caller and a new texter this often, in real seconds: the steady load.
ARRIVAL_EVERY_SECONDS = 0.5
# How long the load runs before the primary is killed, and after.
BEFORE_KILL_SECONDS = 4
AFTER_KILL_SECONDS = 16
# A caller holds this many simulated seconds before hanging up, unless put through first.
HOLDS_SECONDS = 12
# Sentinel must have promoted the replica, and a caller been put through by a worker on it,
# this long after the kill; Twilio gives up on a webhook after 15 s.
FAILOVER_DEADLINE_SECONDS = 10
TWILIO_TIMEOUT_SECONDS = 15


@pytest.fixture(scope="module")
def sentinel_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelRedis]:
    servers = SentinelRedis(tmp_path_factory.mktemp("sentinel"))
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="module")
def stack(
    sentinel_redis: SentinelRedis, e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The whole line on the Sentinel URL, instead of the e2e suite's single Redis."""
    with running_stack(
        tmp_path_factory.mktemp("e2e-sentinel"),
        database_url=e2e_database_url,
        redis_server=sentinel_redis,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
    ) as running:
        yield running


@dataclass
class Caller:
    phone: Phone
    dialled_at: float
    # How long the line took to answer the call's first webhook.
    answer_seconds: float
    held_from: int | None = None
    put_through_at: float | None = None


def test_callers_keep_being_answered_while_sentinel_promotes_the_replica(
    scenario, stack, sentinel_redis
):
    overflow = scenario.phone().answers_after(rings=1)
    line = scenario.line(overflow_number=overflow.number, wrap_up_seconds=0)
    ana = scenario.specialist(line, "Ana")
    ana.phone.answers_after(rings=0)
    callers: list[Caller] = []
    texters: list[tuple[Phone, float]] = []
    accepted = 0
    started = time.monotonic()
    killed_at = promoted_at = None
    next_arrival = started
    simulated = 0

    def look_at_the_phones() -> None:
        """Ana takes each caller offered; callers put through or held long enough hang up."""
        nonlocal accepted
        if heard(ana.phone).count(WHISPER) > accepted and ana.phone.call is not None:
            ana.phone.press("1")
            accepted += 1
        for caller in callers:
            if caller.put_through_at is not None or caller.phone.call is None:
                continue
            if caller.phone.connected_to == [ana.phone.number]:
                caller.put_through_at = time.monotonic()
                caller.phone.hang_up()
            elif scenario.holding(caller.phone):
                caller.held_from = caller.held_from or simulated
                if simulated - caller.held_from >= HOLDS_SECONDS:
                    caller.phone.hang_up()

    def settled() -> bool:
        look_at_the_phones()
        return all(c.held_from or c.put_through_at or c.phone.call is None for c in callers)

    while killed_at is None or time.monotonic() - killed_at < AFTER_KILL_SECONDS:
        now = time.monotonic()
        if killed_at is None and now - started >= BEFORE_KILL_SECONDS:
            sentinel_redis.kill_primary()
            killed_at = now
        if killed_at is not None and promoted_at is None and sentinel_redis.promoted():
            promoted_at = time.monotonic()
        if now >= next_arrival:
            next_arrival += ARRIVAL_EVERY_SECONDS
            phone = scenario.phone()
            phone.dial(line.twilio_number)
            callers.append(Caller(phone, now, time.monotonic() - now))
            texter = scenario.phone()
            texter.send_text(line.twilio_number, "hi, is anyone there?")
            texters.append((texter, time.monotonic()))
        wait_for(scenario.sim.idle, timeout=TWILIO_TIMEOUT_SECONDS, what="the simulator's work")
        stack.clock.advance(1)
        simulated += 1
        look_at_the_phones()
        # Pacing the load to real time, not waiting for anything.
        time.sleep(max(0.0, min(next_arrival, started + simulated * 0.25) - time.monotonic()))
    # The last callers to ring hear the greeting out before they are counted.
    stack.advance_until(settled, what="every caller answered or gone")

    answered = [c for c in callers if c.held_from is not None or c.put_through_at is not None]
    failed = [c for c in callers if c not in answered]
    put_through_after = [c for c in callers if c.put_through_at and c.put_through_at > killed_at]
    texted_back = [t for t, _at in texters if received(t, line)]
    slowest = max(c.answer_seconds for c in callers)
    after_kill = [c for c in callers if c.dialled_at >= killed_at]
    print(
        f"\nSentinel failover under load: {len(callers)} callers, {len(answered)} answered,"
        f" {len(failed)} failed, {len([c for c in callers if c.put_through_at])} put through"
        f" ({len(put_through_after)} after the kill); {len(texted_back)}/{len(texters)} texters"
        f" welcomed. Replica promoted {promoted_at - killed_at:.1f} s after the kill; slowest"
        f" first webhook {slowest:.2f} s; slowest after the kill"
        f" {max(c.answer_seconds for c in after_kill):.2f} s; first put through after the kill"
        f" {min(c.put_through_at for c in put_through_after) - killed_at:.1f} s."
    )
    assert promoted_at is not None and promoted_at - killed_at < FAILOVER_DEADLINE_SECONDS
    assert failed == [], f"{len(failed)} callers were not answered by the line"
    assert slowest < TWILIO_TIMEOUT_SECONDS
    assert put_through_after, "no caller was put through once the replica was promoted"
    assert min(c.put_through_at for c in put_through_after) - killed_at < (
        FAILOVER_DEADLINE_SECONDS + AFTER_KILL_SECONDS / 2
    )
    assert len(texted_back) == len(texters), "every texter gets the line's welcome"
    for phone in [c.phone for c in callers] + [ana.phone] + [t for t, _ in texters]:
        assert APPLICATION_ERROR not in phone.heard
    assert overflow.calls == [], "nobody was sent on to the overflow line: Redis kept answering"
    assert CONNECTED in heard(put_through_after[0].phone)
    assert scenario.errors() == []
    crashed = [name for name, p in stack.processes.running.items() if p.poll() is not None]
    assert crashed == [], f"{crashed} exited\n{stack.processes.logs()}"
    logs = stack.processes.directory.glob("*.log")
    failing = [log.name for log in logs if "Traceback" in log.read_text(errors="replace")]
    assert failing == [], f"errors logged by {failing}\n{stack.processes.logs()}"
