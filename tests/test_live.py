"""The waiting line on real Redis: order, language, atomic claims, offers that come back."""

from __future__ import annotations

import threading

import pytest
import redis

from warmline.live import LiveLine, now_ms

LEASE = 30_000


@pytest.fixture
def line(redis_client) -> LiveLine:
    return LiveLine(redis_client, line_id=1)


def arrive(line: LiveLine, contact_id: int, *, tier=0, language="en", at=None) -> None:
    line.enqueue(contact_id, language=language, tier=tier, arrived_ms=at or now_ms() + contact_id)


def test_crisis_tiers_go_first_then_first_come_first_served(line):
    arrive(line, 1, at=1000)
    arrive(line, 2, tier=1, at=2000)
    arrive(line, 3, at=3000)
    arrive(line, 4, tier=2, at=4000)
    arrive(line, 5, tier=1, at=5000)
    assert line.waiting() == [4, 2, 5, 1, 3]
    assert line.position(1) == 4


def test_crisis_signs_move_a_waiting_contact_ahead_but_never_back(line):
    arrive(line, 1, at=1000)
    arrive(line, 2, at=2000)
    line.raise_tier(2, 1)
    assert line.waiting() == [2, 1]
    line.raise_tier(2, 0)
    assert line.waiting() == [2, 1]


def test_arriving_twice_keeps_the_first_place(line):
    arrive(line, 1, at=1000)
    arrive(line, 2, at=2000)
    arrive(line, 1, at=3000)
    assert line.waiting() == [1, 2]


def test_longest_idle_specialist_is_offered_the_first_contact(line):
    arrive(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms() - 5000)
    line.go_available(12, ["en"], ready_ms=now_ms() - 9000)
    claim = line.claim(lease_ms=LEASE)
    assert (claim.contact_id, claim.specialist_ids) == (1, (12,))


def test_language_must_match_and_does_not_block_the_line(line):
    arrive(line, 1, language="es", at=1000)
    arrive(line, 2, language="en", at=2000)
    line.go_available(11, ["en"], ready_ms=now_ms())
    claim = line.claim(lease_ms=LEASE)
    assert (claim.contact_id, claim.specialist_ids) == (2, (11,))
    assert line.waiting() == [1]


def test_a_specialist_is_never_offered_two_contacts(line):
    arrive(line, 1)
    arrive(line, 2)
    line.go_available(11, ["en"], ready_ms=now_ms())
    assert line.claim(lease_ms=LEASE).contact_id == 1
    assert line.claim(lease_ms=LEASE) is None


def test_specialist_in_wrap_up_is_not_offered_until_it_ends(line):
    arrive(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms() + 60_000)
    assert line.claim(lease_ms=LEASE) is None
    line.go_available(11, ["en"], ready_ms=now_ms())
    assert line.claim(lease_ms=LEASE).specialist_ids == (11,)


def test_missed_offer_puts_contact_back_in_its_place_and_specialist_on_break(line):
    arrive(line, 1, at=1000)
    line.go_available(11, ["en"], ready_ms=now_ms())
    line.claim(lease_ms=LEASE)
    arrive(line, 2, at=2000)
    resolution = line.resolve(1, 11, "decline")
    assert resolution.requeued
    assert line.waiting() == [1, 2]
    assert line.specialist(11)["status"] == "break"
    assert line.specialist(11)["reason"] == "missed_offer"
    assert line.free_specialists(now_ms()) == []


def test_ring_all_offers_everyone_eligible_and_the_first_to_accept_wins(line):
    arrive(line, 1)
    for specialist in (11, 12, 13):
        line.go_available(specialist, ["en"], ready_ms=now_ms() - specialist)
    line.go_available(14, ["fr"], ready_ms=now_ms())
    claim = line.claim(lease_ms=LEASE, ring_all=True)
    assert sorted(claim.specialist_ids) == [11, 12, 13]
    won = line.resolve(1, 12, "accept")
    assert won.won
    assert sorted(won.cancel_specialist_ids) == [11, 13]
    assert not line.resolve(1, 11, "accept").won
    assert sorted(line.free_specialists(now_ms())) == [11, 13, 14]
    assert line.specialist(12)["status"] == "on_call"


def test_round_robin_takes_turns(line):
    for specialist in (11, 12):
        line.go_available(specialist, ["en"], ready_ms=now_ms() - 1000)
    offered = []
    for contact in (1, 2, 3, 4):
        arrive(line, contact)
        claim = line.claim(lease_ms=LEASE, rotate=True)
        offered.append(claim.specialist_ids[0])
        line.resolve(contact, claim.specialist_ids[0], "release")
        line.remove(contact)
    assert offered[0] != offered[1]
    assert offered[2] != offered[3]


def test_caller_who_hangs_up_while_ringing_frees_the_specialists(line):
    arrive(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms())
    line.claim(lease_ms=LEASE)
    line.record_leg(1, 11, "CA" + "1" * 32)
    resolution = line.remove(1)
    assert resolution.cancel_specialist_ids == (11,)
    assert resolution.legs == {11: "CA" + "1" * 32}
    assert line.free_specialists(now_ms()) == [11]
    assert line.waiting() == []
    assert not line.is_live(1)


def test_a_lease_that_ran_out_before_any_phone_rang_returns_everyone_to_their_place(line):
    arrive(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms())
    line.claim(lease_ms=-1)
    assert line.expired_offers(now_ms()) == [1]
    assert line.resolve(1, None, "release_all").requeued
    assert line.waiting() == [1]
    assert line.free_specialists(now_ms()) == [11]
    assert line.expired_offers(now_ms()) == []


def test_concurrent_claims_never_offer_a_contact_or_a_specialist_twice(line, redis_url):
    for contact in range(1, 41):
        arrive(line, contact)
    for specialist in range(100, 115):
        line.go_available(specialist, ["en"], ready_ms=now_ms())
    claims = []
    lock = threading.Lock()

    def worker():
        mine = LiveLine(redis.Redis.from_url(redis_url), 1)
        while (claim := mine.claim(lease_ms=LEASE)) is not None:
            with lock:
                claims.append(claim)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    contacts = [c.contact_id for c in claims]
    specialists = [s for c in claims for s in c.specialist_ids]
    assert len(claims) == 15
    assert len(set(contacts)) == len(contacts)
    assert len(set(specialists)) == len(specialists)
    assert sorted(contacts) == list(range(1, 16))


def test_waiting_texts_never_hide_callers_from_phone_offers(line):
    for contact in range(1, 1200):
        line.enqueue_text(contact, language="en", tier=0, arrived_ms=1000 + contact)
    arrive(line, 500, at=5000)
    line.go_available(11, ["en"], ready_ms=now_ms())
    claim = line.claim(lease_ms=LEASE)
    assert (claim.contact_id, claim.specialist_ids) == (500, (11,))


def test_many_callers_nobody_free_speaks_for_do_not_hide_the_next_caller(line):
    for contact in range(1, 300):
        arrive(line, contact, language="fr", at=1000 + contact)
    arrive(line, 500, language="en", at=5000)
    base = now_ms()
    for specialist in range(100, 400):
        line.go_available(specialist, ["en"], ready_ms=base - specialist * 10)
    claim = line.claim(lease_ms=LEASE)
    assert (claim.contact_id, claim.specialist_ids) == (500, (399,))


def test_a_call_placed_after_the_caller_left_is_reported_for_hanging_up(line):
    arrive(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms())
    line.claim(lease_ms=LEASE)
    line.remove(1)
    assert not line.record_leg(1, 11, "CA" + "2" * 32)
    assert line.offer_legs(1) == {}


def test_a_caller_taken_during_the_greeting_is_not_put_back_in_line(line):
    arrive(line, 1)
    line.go_available(11, ["en"], ready_ms=now_ms())
    line.go_available(12, ["en"], ready_ms=now_ms())
    line.claim(lease_ms=LEASE)
    assert line.resolve(1, 11, "accept").won
    arrive(line, 1)  # the greeting ends after the specialist pressed 1
    assert line.waiting() == []
    assert line.claim(lease_ms=LEASE) is None
    assert line.specialist(12).get("offer") is None
