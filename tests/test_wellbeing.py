"""Recovery breaks: which contacts earn one, how long nothing is offered, how it ends.

Against a real Redis; a break is the end of the specialist's place on the rota moved later,
so each test reads who the line would offer at frozen instants (`free_specialists(at_ms)`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_line, make_specialist, on_shift
from warmline import calls, presence, texts, wellbeing
from warmline.dashboard import board
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Outcome, utcnow

MINUTE_MS = 60_000


@pytest.fixture
def services(app):
    return app.extensions["warmline"]


@pytest.fixture
def line(session):
    return make_line(session, wrap_up_seconds=60, recovery_seconds=300, long_call_minutes=30)


@pytest.fixture
def ana(app, session, line):
    specialist = make_specialist(session, line, name="Ana")
    on_shift(app, session, line, specialist)
    return specialist


def finish_call(session, services, line, specialist, *, tier=0, talk_minutes=5, referred=False):
    """Give the specialist a call that ends now, then start their wrap-up as the line does."""
    at = utcnow()
    contact = Contact(
        line_id=line.id,
        channel=Channel.VOICE,
        arrived_at=at - timedelta(minutes=talk_minutes + 1),
        connected_at=at - timedelta(minutes=talk_minutes),
        ended_at=at,
        talk_seconds=talk_minutes * 60,
        outcome=Outcome.ANSWERED,
        crisis_tier=tier,
        crisis_referred_at=at if referred else None,
        specialist_id=specialist.id,
        language="en",
    )
    session.add(contact)
    session.commit()
    live = LiveLine(services.redis, line.id)
    live.enqueue(contact.id, language="en", tier=tier, arrived_ms=now_ms())
    assert live.claim_one(contact.id, specialist.id)
    calls.start_wrap_up(session, live, services.jobs, specialist.id, contact.id)
    live.remove(contact.id)
    return live


@pytest.mark.parametrize(
    ("tier", "referred", "talk_minutes", "in_a_row", "earned"),
    [
        (1, False, 2, 1, True),
        (2, False, 2, 1, True),
        (0, True, 2, 1, True),
        (0, False, 31, 1, True),
        (0, False, 30, 1, False),
        (0, False, 2, 1, False),
    ],
)
def test_a_crisis_contact_a_referral_or_a_call_over_the_threshold_earns_a_break(
    line, tier, referred, talk_minutes, in_a_row, earned
):
    assert (
        wellbeing.earns_recovery(
            line,
            crisis_tier=tier,
            crisis_referred=referred,
            talk_seconds=talk_minutes * 60,
            in_a_row=in_a_row,
        )
        is earned
    )


def test_a_line_with_no_recovery_time_or_no_threshold_gives_no_break_for_it(line):
    line.long_call_minutes = 0
    assert not wellbeing.earns_recovery(
        line, crisis_tier=0, crisis_referred=False, talk_seconds=10_000, in_a_row=1
    )
    line.recovery_seconds = 0
    assert not wellbeing.earns_recovery(
        line, crisis_tier=2, crisis_referred=True, talk_seconds=10_000, in_a_row=99
    )


def test_after_a_crisis_call_nothing_is_offered_until_wrap_up_and_recovery_are_over(
    session, services, line, ana
):
    before = now_ms()
    live = finish_call(session, services, line, ana, tier=1)
    after = now_ms()

    card = live.specialist(ana.id)
    assert card["status"] == "recovery"
    wrap_up_ends, ready = int(card["recovery_from"]), int(card["ready"])
    assert before + MINUTE_MS <= wrap_up_ends <= after + MINUTE_MS
    assert ready == wrap_up_ends + 5 * MINUTE_MS
    # Wrapping up, then on the break, then free: each as the line and the board see it.
    assert board.status_at("recovery", ready, wrap_up_ends - 1, wrap_up_ends) == "wrap_up"
    assert ana.id not in live.free_specialists(wrap_up_ends + 1)
    assert board.status_at("recovery", ready, wrap_up_ends + 1, wrap_up_ends) == "recovery"
    assert ana.id not in live.free_specialists(ready - 1)
    assert not live.may_claim_one(ana.id, ready - 1)
    assert ana.id in live.free_specialists(ready)
    assert board.status_at("recovery", ready, ready, wrap_up_ends) == "available"


def test_an_ordinary_call_gets_the_wrap_up_alone(session, services, line, ana):
    live = finish_call(session, services, line, ana)
    card = live.specialist(ana.id)
    assert card["status"] == "wrap_up"
    assert int(card["ready"]) <= now_ms() + MINUTE_MS


def test_the_dashboard_counts_down_the_wrap_up_then_the_break(session, services, line, ana):
    finish_call(session, services, line, ana, tier=2)
    shift = board.current_shift(session, services.redis, ana.id)

    at = shift.recovery_from_ms - 30_000
    assert shift.status_at(at) == "wrap_up"
    assert shift.wrap_up_seconds_left(at) == 30
    assert shift.recovery_seconds_left(at) == 300
    at = shift.recovery_from_ms + 60_000
    assert shift.status_at(at) == "recovery"
    assert shift.wrap_up_seconds_left(at) == 0
    assert shift.recovery_seconds_left(at) == 240
    assert shift.recovery_seconds_left(shift.ready_ms) == 0


def test_im_ready_ends_the_break_at_once(session, services, line, ana):
    live = finish_call(session, services, line, ana, tier=1)

    presence.become_available(
        session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
    )

    assert ana.id in live.free_specialists(now_ms())
    assert live.specialist(ana.id)["status"] == "available"


def test_five_more_minutes_moves_the_end_and_only_while_on_a_break(session, services, line, ana):
    live = finish_call(session, services, line, ana, tier=1)
    ready = int(live.specialist(ana.id)["ready"])

    assert wellbeing.extend_recovery(
        services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
    )
    assert int(live.specialist(ana.id)["ready"]) == ready + 5 * MINUTE_MS
    assert ana.id not in live.free_specialists(ready + 1)

    presence.become_available(
        session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
    )
    assert not wellbeing.extend_recovery(
        services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
    )
    assert ana.id in live.free_specialists(now_ms())


def test_a_break_never_runs_more_than_an_hour_from_now(session, services, line, ana):
    live = finish_call(session, services, line, ana, tier=1)
    for _ in range(20):
        wellbeing.extend_recovery(
            services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
        )
    assert int(live.specialist(ana.id)["ready"]) <= now_ms() + 60 * MINUTE_MS


def test_the_cap_of_contacts_in_a_row_gives_a_break_and_starts_the_count_over(
    session, services, line, ana
):
    line.contacts_before_break = 2
    session.commit()

    statuses = []
    for _ in range(3):
        live = finish_call(session, services, line, ana)
        statuses.append(live.specialist(ana.id)["status"])
        presence.become_available(
            session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
        )

    assert statuses == ["wrap_up", "recovery", "wrap_up"]


def test_a_break_the_specialist_takes_starts_the_count_over(session, services, line, ana):
    line.contacts_before_break = 2
    session.commit()
    finish_call(session, services, line, ana)
    presence.take_break(services.redis, line_id=line.id, specialist_id=ana.id, reason="rest")
    presence.become_available(
        session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
    )

    live = finish_call(session, services, line, ana)

    assert live.specialist(ana.id)["status"] == "wrap_up"


def test_the_cap_is_off_by_default(session, services, line, ana):
    assert line.contacts_before_break == 0
    for _ in range(4):
        live = finish_call(session, services, line, ana)
        assert live.specialist(ana.id)["status"] == "wrap_up"
        presence.become_available(
            session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
        )


def test_a_tier_raised_while_waiting_counts_though_the_record_says_none(
    session, services, line, ana
):
    at = utcnow()
    contact = Contact(
        line_id=line.id,
        channel=Channel.VOICE,
        arrived_at=at - timedelta(minutes=3),
        connected_at=at - timedelta(minutes=2),
        talk_seconds=120,
        outcome=Outcome.ANSWERED,
        specialist_id=ana.id,
        language="en",
    )
    session.add(contact)
    session.commit()
    live = LiveLine(services.redis, line.id)
    live.enqueue(contact.id, language="en", tier=0, arrived_ms=now_ms())
    live.raise_tier(contact.id, 1)
    assert live.claim_one(contact.id, ana.id)

    calls.start_wrap_up(session, live, services.jobs, ana.id, contact.id)

    assert live.specialist(ana.id)["status"] == "recovery"


def test_a_crisis_text_closed_while_another_is_open_owes_the_break_until_the_last_closes(
    session, services, line, ana
):
    line.max_texts_per_specialist = 2
    session.commit()
    live = LiveLine(services.redis, line.id)
    at = utcnow()
    flagged, calm = (
        Contact(
            line_id=line.id,
            channel=Channel.SMS,
            arrived_at=at,
            connected_at=at,
            outcome=Outcome.OPEN,
            crisis_tier=tier,
            specialist_id=ana.id,
            language="en",
        )
        for tier in (1, 0)
    )
    session.add_all([flagged, calm])
    session.commit()
    for contact in (flagged, calm):
        live.enqueue_text(contact.id, language="en", tier=contact.crisis_tier, arrived_ms=now_ms())
        assert live.accept_text(ana.id, contact_id=contact.id, max_texts=2, during_calls=False)

    def close(contact):
        texts.close_conversation(
            session,
            services.redis,
            services.jobs,
            contact_id=contact.id,
            reason=texts.CloseReason.SPECIALIST,
            specialist_id=ana.id,
            at=utcnow(),
        )

    close(flagged)
    assert live.specialist(ana.id)["status"] == "texting"
    close(calm)

    assert live.specialist(ana.id)["status"] == "recovery"
    assert live.specialist(ana.id)["owed_recovery"] == "0"
