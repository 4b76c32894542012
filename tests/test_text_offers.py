"""Texts offered on dashboards, on real Redis: who gets one, racing workers and takers, passing."""

from __future__ import annotations

import threading

import pytest

from warmline.live import LiveLine, now_ms

ENDS = 30_000
LIMITS = {11: 2, 12: 2, 13: 2}


@pytest.fixture
def line(redis_client) -> LiveLine:
    return LiveLine(redis_client, line_id=1)


def on_dashboard(line: LiveLine, specialist_id: int, *, languages=("en",), idle_ms=0) -> None:
    """A specialist on shift, available, with their dashboard open."""
    line.go_available(specialist_id, list(languages), ready_ms=now_ms() - idle_ms)
    line.saw(specialist_id, now_ms())


def text_waits(line: LiveLine, contact_id: int, *, tier=0, language="en", at=None) -> None:
    line.enqueue_text(
        contact_id, language=language, tier=tier, arrived_ms=at or now_ms() + contact_id
    )


def offer(line: LiveLine, limits=None, *, during_calls=False, ahead_of_calls=False):
    return line.offer_text(
        LIMITS if limits is None else limits,
        ends_ms=now_ms() + ENDS,
        during_calls=during_calls,
        ahead_of_calls=ahead_of_calls,
    )


def take(line: LiveLine, specialist_id: int, contact_id=None, *, max_texts=2, during_calls=False):
    return line.accept_text(
        specialist_id, contact_id=contact_id, max_texts=max_texts, during_calls=during_calls
    )


def test_the_first_text_goes_to_the_specialist_idle_longest_and_stays_in_its_place(line):
    text_waits(line, 1, at=1000)
    text_waits(line, 2, at=2000)
    on_dashboard(line, 11, idle_ms=5000)
    on_dashboard(line, 12, idle_ms=9000)

    first = offer(line)

    assert (first.contact_id, first.specialist_id) == (1, 12)
    assert line.waiting() == [1, 2], "an offered text keeps its place in line"
    assert line.text_offer_of(12) == 1
    assert line.text_offered_to(1) == 12
    assert line.free_specialists(now_ms()) == [11], "no call is offered alongside a text"
    second = offer(line)
    assert (second.contact_id, second.specialist_id) == (2, 11)
    assert offer(line) is None, "one offer at a time to each specialist"


def test_crisis_texts_are_offered_first(line):
    text_waits(line, 1, at=1000)
    text_waits(line, 2, tier=1, at=2000)
    text_waits(line, 3, tier=2, at=3000)
    on_dashboard(line, 11)

    assert offer(line).contact_id == 3


def test_only_someone_speaking_the_texters_language_is_offered_it(line):
    text_waits(line, 1, language="es", at=1000)
    text_waits(line, 2, at=2000)
    on_dashboard(line, 11, idle_ms=9000)
    on_dashboard(line, 12, languages=("en", "es"))

    assert (offer(line).contact_id, line.text_offer_of(12)) == (1, 1)
    assert (offer(line).contact_id, line.text_offer_of(11)) == (2, 2)


def test_a_specialist_without_a_dashboard_open_on_break_or_full_is_offered_no_text(line):
    text_waits(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms())
    on_dashboard(line, 12)
    line.go_on_break(12, "rest")
    on_dashboard(line, 13)
    for held in (101, 102):
        text_waits(line, held)
        assert take(line, 13, held) is not None

    assert offer(line) is None


def test_a_specialist_holding_texts_below_the_limit_is_offered_one_more(line):
    on_dashboard(line, 11)
    text_waits(line, 101)
    assert take(line, 11, 101).contact_id == 101
    text_waits(line, 1)

    assert offer(line).specialist_id == 11
    assert offer(line, {11: 1}) is None


def test_fewer_open_texts_go_before_longer_idle(line):
    on_dashboard(line, 11, idle_ms=9000)
    text_waits(line, 101)
    take(line, 11, 101)
    on_dashboard(line, 12)
    text_waits(line, 1)

    assert offer(line).specialist_id == 12


def test_texts_during_a_call_only_where_the_line_allows_them(line):
    on_dashboard(line, 11)
    line.client.hset(line.prefix + "specialist:11", "status", "on_call")
    line.client.zrem(line.prefix + "free", 11)
    text_waits(line, 1)

    assert offer(line, during_calls=False) is None
    assert offer(line, during_calls=True).specialist_id == 11


def test_a_specialist_being_offered_a_call_is_offered_no_text(line):
    on_dashboard(line, 11)
    line.enqueue(50, language="en", tier=0, arrived_ms=now_ms())
    assert line.claim(lease_ms=ENDS).specialist_ids == (11,)
    text_waits(line, 1)

    assert offer(line, during_calls=True) is None


def test_a_specialist_being_offered_a_text_is_rung_for_no_call(line):
    on_dashboard(line, 11)
    text_waits(line, 1)
    assert offer(line).specialist_id == 11
    # A wrap-up ending (or any path back to the rota) puts them in the free set meanwhile.
    line.client.zadd(line.prefix + "free", {11: now_ms() - 1000})
    line.enqueue(50, language="en", tier=0, arrived_ms=now_ms())

    assert line.claim(lease_ms=ENDS) is None


def test_ahead_of_calls_offers_only_texts_before_the_first_waiting_caller(line):
    on_dashboard(line, 11)
    line.enqueue(50, language="en", tier=0, arrived_ms=1000)
    text_waits(line, 1, at=2000)

    assert offer(line, ahead_of_calls=True) is None
    text_waits(line, 2, tier=2, at=3000)
    assert offer(line, ahead_of_calls=True).contact_id == 2


def test_two_workers_offering_at_once_never_give_one_text_or_one_specialist_twice(line):
    for specialist_id in LIMITS:
        on_dashboard(line, specialist_id)
    for contact_id in range(1, 31):
        text_waits(line, contact_id, at=1000 + contact_id)
    offers = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait(timeout=10)
        while made := offer(line):
            offers.append(made)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o.specialist_id for o in offers) == [11, 12, 13]
    assert sorted(o.contact_id for o in offers) == [1, 2, 3]


def test_the_offered_specialist_accepts_and_holds_the_text(line):
    on_dashboard(line, 11)
    text_waits(line, 1)
    offer(line)

    taken = take(line, 11, 1)

    assert (taken.contact_id, taken.offered_to, taken.released) == (1, None, None)
    assert line.texts_held(11) == [1]
    assert line.waiting() == []
    assert line.text_offer_of(11) is None
    assert line.specialist(11)["status"] == "texting"


def test_taking_from_the_list_a_text_offered_to_another_ends_their_offer(line):
    on_dashboard(line, 11, idle_ms=9000)
    on_dashboard(line, 12)
    text_waits(line, 1)
    assert offer(line).specialist_id == 11

    taken = take(line, 12, 1)

    assert (taken.contact_id, taken.offered_to) == (1, 11)
    assert line.text_offer_of(11) is None
    assert take(line, 11, 1) is None, "someone else took it"
    assert 11 in line.free_specialists(now_ms()), "back on the phone rota in their place"


def _race_to_take(line: LiveLine, specialist_id: int, start: threading.Barrier, won: dict) -> None:
    start.wait(timeout=10)
    won[specialist_id] = take(line, specialist_id, 1)


def test_an_offer_accepted_and_a_take_from_the_list_race_and_exactly_one_wins(line):
    for _ in range(20):
        line.client.flushall()
        on_dashboard(line, 11, idle_ms=9000)
        on_dashboard(line, 12)
        text_waits(line, 1)
        assert offer(line).specialist_id == 11
        start = threading.Barrier(2)
        won: dict[int, object] = {}
        racers = [
            threading.Thread(target=_race_to_take, args=(line, s, start, won)) for s in (11, 12)
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=10)

        winners = [s for s, taken in won.items() if taken is not None]
        assert len(winners) == 1, won
        [winner] = winners
        assert line.texts_held(winner) == [1]
        assert line.texts_held(23 - winner) == []
        assert line.text_offer_of(11) is None


def test_taking_the_next_text_from_the_list_skips_one_offered_to_someone_else(line):
    on_dashboard(line, 11, idle_ms=9000)
    on_dashboard(line, 12)
    text_waits(line, 1, at=1000)
    text_waits(line, 2, at=2000)
    assert offer(line, {11: 2}).contact_id == 1

    assert take(line, 12).contact_id == 2


def test_taking_another_text_ends_ones_own_offer_for_the_next(line):
    on_dashboard(line, 11)
    text_waits(line, 1, at=1000)
    text_waits(line, 2, at=2000)
    assert offer(line).contact_id == 1

    taken = take(line, 11, 2)

    assert (taken.contact_id, taken.released) == (2, 1)
    assert line.text_offered_to(1) is None


def test_a_pass_gives_the_text_to_the_next_and_not_back_to_the_one_who_passed_at_once(line):
    on_dashboard(line, 11, idle_ms=9000)
    text_waits(line, 1)
    assert offer(line).specialist_id == 11

    ended = line.end_text_offer(1, 11, "pass", passed_until_ms=now_ms() + 60_000)

    assert (ended.specialist_id, ended.on_break) == (11, False)
    assert line.waiting() == [1]
    assert line.specialist(11)["status"] == "available"
    assert 11 in line.free_specialists(now_ms())
    assert offer(line) is None, "not offered again to the one who passed"
    on_dashboard(line, 12)
    assert offer(line).specialist_id == 12


def test_a_pass_runs_out_and_the_text_may_come_back(line):
    on_dashboard(line, 11)
    text_waits(line, 1)
    offer(line)
    line.end_text_offer(1, 11, "pass", passed_until_ms=now_ms() - 1)

    assert offer(line).specialist_id == 11


def test_a_pass_of_an_offer_that_is_not_theirs_changes_nothing(line):
    on_dashboard(line, 11, idle_ms=9000)
    on_dashboard(line, 12)
    text_waits(line, 1)
    offer(line)

    assert line.end_text_offer(1, 12, "pass", passed_until_ms=now_ms() + 60_000) is None
    assert line.text_offer_of(11) == 1


def test_an_expired_offer_puts_an_idle_specialist_on_break_but_not_a_busy_one(line):
    on_dashboard(line, 11)
    text_waits(line, 1, at=1000)
    offer(line)
    ended = line.end_text_offer(1, None, "expire", passed_until_ms=now_ms() + 60_000)
    assert ended.on_break
    assert line.specialist(11)["status"] == "break"
    assert line.specialist(11)["reason"] == "missed_text_offer"
    assert 11 not in line.free_specialists(now_ms())

    on_dashboard(line, 12)
    text_waits(line, 101, at=500)
    assert take(line, 12, 101) is not None
    assert offer(line).specialist_id == 12
    ended = line.end_text_offer(1, None, "expire", passed_until_ms=now_ms() + 60_000)
    assert not ended.on_break
    assert line.specialist(12)["status"] == "texting"


def test_an_offer_of_a_text_that_closed_ends_quietly(line):
    on_dashboard(line, 11)
    text_waits(line, 1)
    offer(line)
    line.release_text(1, None, ready_ms=now_ms(), status="available")

    ended = line.end_text_offer(1, None, "expire", passed_until_ms=now_ms() + 60_000)

    assert not ended.on_break
    assert line.specialist(11)["status"] == "available"
    assert line.text_offer_of(11) is None


def test_a_specialist_who_went_on_break_during_an_offer_stays_off_the_rota(line):
    on_dashboard(line, 11)
    text_waits(line, 1)
    offer(line)
    line.go_on_break(11, "rest")

    line.end_text_offer(1, 11, "pass", passed_until_ms=now_ms() + 60_000)

    assert 11 not in line.free_specialists(now_ms())


def test_text_offer_keys_carry_the_lines_hash_tag(line):
    on_dashboard(line, 11)
    text_waits(line, 1)
    offer(line)
    line.end_text_offer(1, 11, "pass", passed_until_ms=now_ms() + 60_000)
    on_dashboard(line, 12)
    offer(line)

    keys = [key.decode() for key in line.client.keys("*")]
    assert keys and all("{line:1}" in key for key in keys), keys
