"""A Redis that lost its data (restarted without persistence, flushed, failed over to a replica
that never had it) is rebuilt from the database by the clock's repair.

Against a real Redis and SQLite, with signed webhooks and the repair job run in-process.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.factories import call_sid, make_line, make_specialist, on_shift
from tests.fake_twilio import fake_twilio
from tests.test_call_end_to_end import caller_waits
from tests.test_privacy_end_to_end import database_dump, redis_dump
from tests.test_texts import TEXTER, accept, arrive, reply, run_queued
from warmline import calls, offers, presence
from warmline import on_shift as shifts_started
from warmline.live import LiveLine, now_ms
from warmline.models import Contact, Outcome, utcnow
from workers import jobs


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
def services(worker_runtime):
    return worker_runtime


@pytest.fixture
def team(app, session):
    line = make_line(session, ring_timeout_seconds=20)
    ana = make_specialist(session, line, name="Ana", phone="+14155550171")
    bo = make_specialist(session, line, name="Bo", phone="+14155550172")
    on_shift(app, session, line, ana)
    on_shift(app, session, line, bo)
    return line, ana, bo


def lose_redis(services) -> None:
    """Redis comes back empty, after its first rebuild (the clock's first repair) had run."""
    jobs.repair_live_state()
    services.redis.flushall()


def test_everyone_on_shift_comes_back_and_nobody_whose_shift_ended(session, services, team):
    line, ana, bo = team
    cy = make_specialist(session, line, name="Cy", phone="+14155550173")
    presence.start_shift(
        session, services.redis, services.jobs, line_id=line.id, specialist_id=cy.id, at=utcnow()
    )
    presence.sign_off(session, services.redis, services.jobs, line_id=line.id, specialist_id=bo.id)
    lose_redis(services)
    live = LiveLine(services.redis, line.id)
    assert live.present() == []

    before = now_ms()
    repaired = jobs.repair_live_state()

    assert repaired["rebuilt_specialists"] == 2
    assert live.present() == [ana.id, cy.id]
    assert live.kept()
    # Seen as they come back: one whose dashboards stay closed is signed off after the grace.
    assert live.unseen_since(before) == []
    assert live.unseen_since(now_ms() + 1) == [ana.id, cy.id]
    # An offer ringing when Redis lost it may still ring: nobody is offered until it would be over.
    lease = offers.lease_ms(line)
    assert live.free_specialists(before + lease - 1000) == []
    assert set(live.free_specialists(now_ms() + lease)) == {ana.id, cy.id}
    assert jobs.repair_live_state()["rebuilt_specialists"] == 0, "rebuilt once"


def test_a_specialist_deactivated_meanwhile_does_not_come_back(session, services, team):
    line, ana, bo = team
    lose_redis(services)
    bo.active = False
    session.commit()

    jobs.repair_live_state()

    assert LiveLine(services.redis, line.id).present() == [ana.id]
    assert shifts_started.on_shift(session, line.id) == [ana.id]


def test_holding_callers_and_waiting_texts_come_back_at_once_in_their_first_order(
    session, services, team, twilio
):
    line, _ana, _bo = team
    first_caller = caller_waits(twilio, call_sid())
    texter = arrive(session, services).contact_id
    second_caller = caller_waits(twilio, call_sid())
    for minutes, contact_id in ((3, first_caller), (2, texter), (1, second_caller)):
        session.get(Contact, contact_id).arrived_at = utcnow() - timedelta(seconds=minutes)
    session.commit()
    lose_redis(services)
    live = LiveLine(services.redis, line.id)
    # The hold loop's next turn notes the caller's announcements in the empty Redis.
    calls.wait(
        services.redis,
        services.jobs,
        line_id=line.id,
        contact_id=first_caller,
        queue_seconds=30,
        average_wait_seconds=0,
        twilio_position=1,
    )

    repaired = jobs.repair_live_state()

    assert repaired["restored"] == 2, "seconds old: no settling time once Redis is known lost"
    assert live.waiting() == [first_caller, texter, second_caller]


def test_a_call_under_way_is_its_specialists_again_and_its_end_gives_them_their_wrap_up(
    session, services, team, twilio
):
    line, ana, _bo = team
    sid = call_sid()
    contact_id = caller_waits(twilio, sid)
    live = LiveLine(services.redis, line.id)
    assert live.claim_one(contact_id, ana.id)
    contact = session.get(Contact, contact_id)
    contact.specialist_id = ana.id
    contact.connected_at = utcnow()
    session.commit()
    lose_redis(services)

    jobs.repair_live_state()

    assert live.specialist(ana.id)["status"] == "on_call"
    assert ana.id not in live.free_specialists(now_ms() + 10**9)
    assert live.waiting() == []
    calls.call_status(
        session, services.redis, services.jobs, call_sid=sid, status="completed", at=utcnow()
    )
    assert live.specialist(ana.id)["status"] in {"wrap_up", "available", "recovery"}
    assert session.get(Contact, contact_id).outcome is Outcome.ANSWERED


def test_a_held_text_is_its_specialists_again_and_a_reply_goes_once_the_texter_writes(
    session, services, team, twilio_api
):
    line, ana, _bo = team
    plan = arrive(session, services)
    assert accept(session, services, line, ana) == plan.contact_id
    lose_redis(services)

    jobs.repair_live_state()
    live = LiveLine(services.redis, line.id)
    assert live.texts_held(ana.id) == [plan.contact_id]
    assert live.waiting() == []

    reply(session, services, plan.contact_id, ana, body="Still here with you.")
    run_queued(services)
    assert not [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
    arrive(session, services, body="hello?")
    run_queued(services)

    [sent] = [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
    assert sent.form["To"] == [TEXTER]
    assert sent.form["Body"] == ["Still here with you."]
    for dump in (redis_dump(services.redis), database_dump(session)):
        for secret in (TEXTER, TEXTER.removeprefix("+1"), "Still here with you.", "hello?"):
            assert secret not in dump


def test_a_reply_that_misses_the_number_while_the_texters_next_text_seals_it_still_goes(
    session, services, team, twilio_api, monkeypatch
):
    line, ana, _bo = team
    plan = arrive(session, services)
    assert accept(session, services, line, ana) == plan.contact_id
    lose_redis(services)
    jobs.repair_live_state()
    reply(session, services, plan.contact_id, ana, body="Still here with you.")
    read = LiveLine.text_follow_up

    def reply_sent_meanwhile(live, contact_id):
        # The worker sends the reply after the text's webhook read the conversation, before
        # the webhook seals the number again.
        known = read(live, contact_id)
        run_queued(services)
        return known

    monkeypatch.setattr(LiveLine, "text_follow_up", reply_sent_meanwhile)
    arrive(session, services, body="hello?")
    monkeypatch.undo()
    run_queued(services)

    [sent] = [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
    assert sent.form["Body"] == ["Still here with you."]


def test_a_second_process_finding_redis_lost_leaves_the_rebuild_to_the_first(
    session, services, team
):
    line, _ana, _bo = team
    lose_redis(services)
    live = LiveLine(services.redis, line.id)
    assert live.start_rebuilding(60)

    assert jobs.repair_live_state()["rebuilt_specialists"] == 0
    assert live.present() == []
    assert not live.kept()
