"""The text line's domain on real Redis and SQL: queueing, taking, replying, closing."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from tests.factories import LINE_NUMBER, make_line, make_specialist, message_sid, on_shift
from tests.fake_twilio import fake_twilio
from warmline import offers, presence, texts
from warmline.live import LiveLine, now_ms
from warmline.models import Contact, Outcome, utcnow
from workers import text_jobs
from workers.queues import urgency_queues

TEXTER = "+14155550188"
OTHER_TEXTER = "+14155550189"


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
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana", phone="+14155550171")
    bo = make_specialist(session, line, name="Bo", phone="+14155550172")
    on_shift(app, session, line, ana)
    on_shift(app, session, line, bo)
    return line, ana, bo


def arrive(session, services, body="hi, is anyone there?", number=TEXTER, sid=None, pictures=0):
    return texts.receive_text(
        session,
        services.redis,
        services.jobs,
        services.sealer,
        texts.IncomingText(
            message_sid=sid or message_sid(),
            line_number=LINE_NUMBER,
            caller_tag=texts_tag(services, number),
            sealed_number=services.sealer.seal(number),
            body=body,
            pictures=pictures,
        ),
        lines=services.lines,
        at=utcnow(),
    )


def texts_tag(services, number):
    from warmline.privacy import caller_tag

    return caller_tag(number, services.settings.caller_key)


def accept(session, services, line, specialist, contact_id=None):
    return texts.accept_text(
        session,
        services.redis,
        services.jobs,
        line_id=line.id,
        specialist_id=specialist.id,
        contact_id=contact_id,
        at=utcnow(),
    )


def reply(session, services, contact_id, specialist, body="I'm here. What's on your mind?"):
    return texts.reply(
        session,
        services.redis,
        services.jobs,
        sealer=services.sealer,
        contact_id=contact_id,
        specialist_id=specialist.id,
        body=body,
        at=utcnow(),
    )


def run_queued(services) -> list:
    """Run every job waiting on the texts queue, in this process, oldest first."""
    results = []
    queue = urgency_queues(services.redis)["texts"]
    while job := queue.dequeue_any([queue], None, connection=services.redis):
        job, _queue = job
        results.append(job.func(*job.args, **job.kwargs))
        job.delete()
    return results


def scheduled(services) -> list:
    registry = ScheduledJobRegistry(queue=urgency_queues(services.redis)["texts"])
    return [urgency_queues(services.redis)["texts"].fetch_job(i) for i in registry.get_job_ids()]


def test_first_text_opens_a_conversation_that_waits_in_the_same_line_as_calls(
    session, services, team
):
    line, _ana, _bo = team
    plan = arrive(session, services)
    assert plan.says == (texts.Say.WELCOME,)
    contact = session.get(Contact, plan.contact_id)
    assert contact.channel == "sms" and contact.outcome is Outcome.OPEN
    live = LiveLine(services.redis, line.id)
    assert live.waiting() == [contact.id]
    second = arrive(session, services, body="are you there")
    assert second.contact_id == contact.id
    assert second.says == ()
    assert len(live.messages(contact.id)) == 2


def test_a_crisis_text_jumps_ahead_of_waiting_callers_and_texters(session, services, team, twilio):
    line, _ana, _bo = team
    live = LiveLine(services.redis, line.id)
    live.enqueue(999, language="en", tier=0, arrived_ms=now_ms() - 60_000)
    calm = arrive(session, services, number=OTHER_TEXTER)
    pubsub = services.redis.pubsub()
    pubsub.subscribe(live.events_channel)
    pubsub.get_message(timeout=1)
    crisis = arrive(session, services, body="I have the pills right here and I want to die")
    assert crisis.says[0] is texts.Say.REFERRAL
    assert live.waiting() == [crisis.contact_id, 999, calm.contact_id]
    events = [pubsub.get_message(timeout=1) for _ in range(2)]
    assert any(b"crisis_alert" in e["data"] for e in events if e)
    contact = session.get(Contact, crisis.contact_id)
    assert contact.crisis_tier == 2 and contact.crisis_referred_at is not None


def test_two_specialists_racing_for_one_texter_one_wins(session, services, team, app):
    line, ana, bo = team
    plan = arrive(session, services)
    results = {}

    def take(specialist):
        with app.extensions["warmline"].sessions() as own:
            results[specialist.id] = accept(own, services, line, specialist, plan.contact_id)

    threads = [threading.Thread(target=take, args=(s,)) for s in (ana, bo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values(), key=str) == [plan.contact_id, None]


def test_a_specialist_holds_at_most_the_lines_number_of_texts(session, services, team):
    line, ana, _bo = team
    for number in ("+14155550181", "+14155550182", "+14155550183"):
        arrive(session, services, number=number)
    assert accept(session, services, line, ana)
    assert accept(session, services, line, ana)
    assert accept(session, services, line, ana) is None
    assert len(texts.texts_held(services.redis, line_id=line.id, specialist_id=ana.id)) == 2


def test_a_specialist_on_a_call_takes_no_texts_unless_the_line_allows(session, services, team):
    line, ana, bo = team
    live = LiveLine(services.redis, line.id)
    live.go_on_break(bo.id, "lunch")
    plan = arrive(session, services)
    live.enqueue(999, language="en", tier=0, arrived_ms=now_ms() - 60_000)
    claim = live.claim(lease_ms=30_000)
    assert claim.contact_id == 999, "a phone offer never takes a texter"
    live.resolve(999, ana.id, "accept")
    assert accept(session, services, line, ana) is None
    line.texts_during_calls = True
    session.commit()
    assert accept(session, services, line, ana) == plan.contact_id


def test_a_texting_specialist_gets_no_phone_offers_until_their_last_text_closes(
    session, services, team
):
    line, ana, bo = team
    live = LiveLine(services.redis, line.id)
    live.go_on_break(bo.id, "lunch")
    plan = arrive(session, services)
    assert accept(session, services, line, ana) == plan.contact_id
    assert ana.id not in live.free_specialists(10**15)
    assert texts.close_conversation(
        session,
        services.redis,
        services.jobs,
        contact_id=plan.contact_id,
        reason=texts.CloseReason.SPECIALIST,
        specialist_id=ana.id,
        at=utcnow(),
    )
    assert ana.id in live.free_specialists(10**15)
    assert live.specialist(ana.id)["status"] == "wrap_up"


def test_coming_back_from_a_break_with_texts_open_keeps_a_specialist_off_the_phones(
    session, services, team
):
    line, ana, bo = team
    live = LiveLine(services.redis, line.id)
    live.go_on_break(bo.id, "lunch")
    plan = arrive(session, services)
    assert accept(session, services, line, ana) == plan.contact_id
    presence.take_break(services.redis, line_id=line.id, specialist_id=ana.id, reason="water")
    presence.become_available(
        session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id
    )
    assert ana.id not in live.free_specialists(10**15)
    assert live.specialist(ana.id)["status"] == "texting"


def test_reply_is_sent_by_a_worker_from_the_line_number_with_a_status_callback(
    session, services, team, twilio_api, twilio
):
    line, ana, _bo = team
    plan = arrive(session, services)
    accept(session, services, line, ana)
    sent = reply(session, services, plan.contact_id, ana)
    [sid] = run_queued(services)
    [request] = [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
    assert request.form["To"] == [TEXTER]
    assert request.form["From"] == [LINE_NUMBER]
    assert request.form["Body"] == ["I'm here. What's on your mind?"]
    callback = request.form["StatusCallback"][0]
    assert callback.endswith(f"/webhooks/sms/status?line={line.id}&contact={plan.contact_id}")
    path = callback.removeprefix(services.settings.public_url)
    for status in ("delivered", "sent", "delivered", "queued"):
        twilio.post(path, {"MessageSid": sid, "MessageStatus": status})
    messages = texts.conversation_messages(
        session,
        services.redis,
        sealer=services.sealer,
        contact_id=plan.contact_id,
        specialist_id=ana.id,
    )
    assert [(m.sender, m.body) for m in messages] == [
        ("texter", "hi, is anyone there?"),
        ("specialist", "I'm here. What's on your mind?"),
    ]
    assert messages[sent.index].status == "delivered"


def test_only_the_owner_reads_or_replies(session, services, team):
    line, ana, bo = team
    plan = arrive(session, services)
    accept(session, services, line, ana)
    with pytest.raises(texts.NotYourConversation):
        reply(session, services, plan.contact_id, bo)
    with pytest.raises(texts.NotYourConversation):
        texts.conversation_messages(
            session,
            services.redis,
            sealer=services.sealer,
            contact_id=plan.contact_id,
            specialist_id=bo.id,
        )
    with pytest.raises(ValueError):
        reply(session, services, plan.contact_id, ana, body="   ")


def test_failed_deliveries_are_retried_with_backoff_then_flagged(session, services, team, twilio):
    line, ana, _bo = team
    plan = arrive(session, services)
    accept(session, services, line, ana)
    reply(session, services, plan.contact_id, ana)
    path = f"/webhooks/sms/status?line={line.id}&contact={plan.contact_id}"
    for attempt in range(1, texts.MAX_SEND_ATTEMPTS + 1):
        [sid] = run_queued(services)
        twilio.post(path, {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"})
        retries = [j for j in scheduled(services) if j.func_name.endswith("send_reply")]
        if attempt < texts.MAX_SEND_ATTEMPTS:
            [retry] = retries
            assert retry.args[2] == attempt + 1
            urgency_queues(services.redis)["texts"].enqueue_job(retry)
            ScheduledJobRegistry(queue=urgency_queues(services.redis)["texts"]).remove(retry)
        else:
            assert retries == []
    state = texts.conversation_state(services.redis, line_id=line.id, contact_id=plan.contact_id)
    assert state["undeliverable"] == 1


def test_close_deletes_the_number_and_messages_and_keeps_the_metadata(session, services, team):
    line, ana, _bo = team
    plan = arrive(session, services)
    accept(session, services, line, ana)
    reply(session, services, plan.contact_id, ana)
    run_queued(services)
    texts.close_conversation(
        session,
        services.redis,
        services.jobs,
        contact_id=plan.contact_id,
        reason=texts.CloseReason.SPECIALIST,
        specialist_id=ana.id,
        at=utcnow(),
    )
    live = LiveLine(services.redis, line.id)
    assert live.conversation(plan.contact_id) == {}
    assert live.messages(plan.contact_id) == []
    assert live.stored_conversations() == []
    contact = session.get(Contact, plan.contact_id)
    assert contact.outcome is Outcome.ANSWERED
    assert contact.talk_seconds is not None and contact.wait_seconds is not None
    again = arrive(session, services, body="one more thing")
    assert again.contact_id != plan.contact_id
    assert again.says == (texts.Say.WELCOME,)


def test_a_reply_sent_just_before_closing_still_goes_out_then_is_forgotten(
    session, services, team, twilio_api
):
    line, ana, _bo = team
    plan = arrive(session, services)
    accept(session, services, line, ana)
    reply(session, services, plan.contact_id, ana, body="Take care of yourself tonight.")
    texts.close_conversation(
        session,
        services.redis,
        services.jobs,
        contact_id=plan.contact_id,
        reason=texts.CloseReason.SPECIALIST,
        specialist_id=ana.id,
        at=utcnow(),
    )
    run_queued(services)
    [sent] = [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
    assert sent.form["Body"] == ["Take care of yourself tonight."]
    assert LiveLine(services.redis, line.id).stored_conversations() == []


def _watch_now(services, contact_id, line_id):
    live = LiveLine(services.redis, line_id)
    due = int(live.conversation(contact_id)["watch_due"])
    return text_jobs.watch_conversation(contact_id, due)


def test_an_idle_conversation_closes_itself_but_never_a_crisis_flagged_one(session, services, team):
    line, ana, _bo = team
    calm = arrive(session, services)
    crisis = arrive(session, services, number=OTHER_TEXTER, body="I want to kill myself")
    accept(session, services, line, ana, calm.contact_id)
    accept(session, services, line, ana, crisis.contact_id)
    live = LiveLine(services.redis, line.id)
    long_ago = now_ms() - 31 * 60_000
    for contact_id in (calm.contact_id, crisis.contact_id):
        live.keep_conversation(contact_id, last_activity=long_ago)
    assert _watch_now(services, calm.contact_id, line.id) == "closed_inactive"
    assert _watch_now(services, crisis.contact_id, line.id) == "crisis"
    assert text_jobs.sweep_text_conversations()["closed_inactive"] == 0
    session.expire_all()
    assert session.get(Contact, calm.contact_id).outcome is Outcome.ANSWERED
    assert session.get(Contact, crisis.contact_id).ended_at is None


def test_a_conversation_with_recent_activity_is_looked_at_again_later(session, services, team):
    line, ana, _bo = team
    plan = arrive(session, services)
    accept(session, services, line, ana)
    assert _watch_now(services, plan.contact_id, line.id) == "watching"
    assert text_jobs.watch_conversation(plan.contact_id, 1) == "superseded"


def test_a_waiting_texter_is_reminded_of_their_place_a_couple_of_times(
    session, services, team, twilio_api
):
    line, _ana, _bo = team
    plan = arrive(session, services)
    live = LiveLine(services.redis, line.id)
    live.forget_notice(f"waiting:{plan.contact_id}")
    assert _watch_now(services, plan.contact_id, line.id) == "reminded"
    [sent] = [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
    assert "You are number 1 in line" in sent.form["Body"][0]
    kept = [json.loads(services.sealer.open(m)) for m in live.messages(plan.contact_id)]
    assert [(m["from"], m.get("kind")) for m in kept] == [
        ("texter", None),
        ("line", "still_waiting"),
    ]
    assert kept[1]["body"] == sent.form["Body"][0], "the chat shows the reminder as it was sent"
    # Within the interval of the last notice the next look sends nothing.
    assert _watch_now(services, plan.contact_id, line.id) == "reminded"
    assert len([r for r in twilio_api.requests if r.path.endswith("/Messages.json")]) == 1
    assert _watch_now(services, plan.contact_id, line.id) == "waiting"


def test_a_texter_who_writes_again_while_waiting_hears_their_place_once_per_interval(
    session, services, team
):
    line, _ana, _bo = team
    first = arrive(session, services, number=OTHER_TEXTER)
    plan = arrive(session, services)
    live = LiveLine(services.redis, line.id)
    live.forget_notice(f"waiting:{plan.contact_id}")
    again = arrive(session, services, body="still there?")
    assert again.says == (texts.Say.POSITION,) and again.position == 2
    assert arrive(session, services, body="hello?").says == ()
    assert first.contact_id in live.waiting()


def test_a_crisis_text_is_answered_with_the_crisis_reply_and_nothing_generic_after_it(
    session, services, team
):
    """Issue 13, item 5: neither the welcome nor one's place follows the crisis reply."""
    first = arrive(session, services, body="I want to kill myself tonight")
    assert first.says == (texts.Say.REFERRAL,)
    waiting = arrive(session, services, number=OTHER_TEXTER)
    LiveLine(services.redis, team[0].id).forget_notice(f"waiting:{waiting.contact_id}")
    again = arrive(session, services, number=OTHER_TEXTER, body="i just want to die")
    assert again.says == (texts.Say.REFERRAL,) and again.position is None


def test_sweep_puts_back_waiting_texts_a_restarted_redis_lost(session, services, team):
    line, _ana, _bo = team
    plan = arrive(session, services)
    services.redis.flushall()
    assert text_jobs.sweep_text_conversations()["restored"] == 1
    assert LiveLine(services.redis, line.id).waiting() == [plan.contact_id]


def test_sweep_forgets_sealed_data_left_by_a_closed_conversation(session, services, team):
    line, _ana, _bo = team
    plan = arrive(session, services)
    contact = session.get(Contact, plan.contact_id)
    contact.ended_at = utcnow() - timedelta(hours=1)
    session.commit()
    assert text_jobs.sweep_text_conversations()["forgotten"] == 1
    assert LiveLine(services.redis, line.id).stored_conversations() == []


def test_phone_offers_skip_texters_in_the_shared_line(session, services, team):
    line, _ana, _bo = team
    arrive(session, services)
    live = LiveLine(services.redis, line.id)
    assert live.claim(lease_ms=offers.lease_ms(line)) is None


def test_a_specialist_may_hold_fewer_texts_than_the_line_allows(session, services, team):
    line, ana, bo = team
    LiveLine(services.redis, line.id).go_on_break(bo.id, "lunch")
    line.max_texts_per_specialist = 3
    ana.max_texts = 1
    session.commit()
    first = arrive(session, services, number="+14155550161")
    arrive(session, services, number="+14155550162")
    assert accept(session, services, line, ana) == first.contact_id
    assert accept(session, services, line, ana) is None


def test_a_text_in_a_language_the_line_does_not_speak_is_told_of_988s_interpreters_once(
    session, services, team
):
    """Issue 15, item 4: answered in their language, marked for the specialist."""
    plan = arrive(session, services, body="Bonjour, je me sens très seule depuis mon arrivée ici")
    assert plan.says == (texts.Say.WELCOME, texts.Say.INTERPRETER)
    assert plan.unspoken == "fr" and plan.language == "und"
    contact = session.get(Contact, plan.contact_id)
    assert contact.unspoken_language == "fr" and contact.language == "en"
    again = arrive(session, services, body="Je voudrais parler à quelqu'un s'il vous plaît")
    assert again.contact_id == contact.id and texts.Say.INTERPRETER not in again.says


def test_a_crisis_text_in_a_language_not_spoken_gets_the_referral_and_the_interpreter_reply(
    session, services, team
):
    plan = arrive(session, services, body="我现在站在楼顶边上，今晚不想活了")  # noqa: RUF001
    assert plan.says == (texts.Say.REFERRAL, texts.Say.INTERPRETER) and plan.unspoken == "zh"
    assert session.get(Contact, plan.contact_id).crisis_tier >= 1


def test_a_texter_who_first_wrote_hello_hears_of_the_interpreters_when_they_write_in_their_own(
    session, services, team
):
    first = arrive(session, services, body="hola")
    contact = session.get(Contact, first.contact_id)
    assert first.says == (texts.Say.WELCOME,) and contact.unspoken_language is None
    later = arrive(session, services, body="Olá, eu não falo inglês, alguém pode me ajudar agora?")
    assert texts.Say.INTERPRETER in later.says and later.unspoken == "pt"
    session.refresh(contact)
    assert contact.unspoken_language == "pt"


@pytest.mark.parametrize("body", ["ok", "hi", "merci", "bonjour", "salamat po", "谢谢", "ok lol"])
def test_a_short_text_is_never_taken_for_a_language_the_line_does_not_speak(
    session, services, team, body
):
    plan = arrive(session, services, body=body)
    assert texts.Say.INTERPRETER not in plan.says and plan.unspoken is None
    assert session.get(Contact, plan.contact_id).unspoken_language is None
