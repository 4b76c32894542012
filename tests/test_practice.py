"""Practice calls: scenarios checked as they load, a practice call told apart from a real one
on arrival, offered to its trainee alone, and counted in no report."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from tests import twiml
from tests.console.conftest import make_person
from tests.factories import LINE_NUMBER, call_sid, make_line, make_specialist, on_shift
from warmline import calls, feedback, practice, repairs, reports, roster
from warmline.lines import assign_coordinator
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Outcome, PracticeCall, Role, utcnow
from warmline.practice import ScenarioError, load_scenarios, parse_scenario
from warmline.privacy import caller_tag
from warmline.texts import texts_allowed
from webhooks.twiml import crisis_line

TRAINER_PHONE = "+14155550160"
STRANGER = "+14155550123"
GOOD = {
    "key": "quiet_caller",
    "language": "en",
    "title": {"en": "A quiet caller", "es": "Una persona que habla poco"},
    "brief": {"en": "Say little.", "es": "Hable poco."},
    "debrief": [{"key": "silence", "en": "Let silences be", "es": "Dejó los silencios"}],
}


def test_the_shipped_scenarios_load_with_words_in_every_console_language():
    shipped = practice.scenarios()

    assert set(shipped) == {"quiet_caller", "frequent_caller", "becomes_at_risk", "spanish_caller"}
    assert shipped["spanish_caller"].language == "es"
    for scenario in shipped.values():
        assert scenario.debrief and all(set(i.words) == {"en", "es"} for i in scenario.debrief)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"key": "Quiet Caller"}, "key must be lower-case"),
        ({"key": "other"}, "is named other.yml"),
        ({"language": "English"}, "language must be a code"),
        ({"title": {"en": "A quiet caller"}}, "title has no words in 'es'"),
        ({"brief": "Say little."}, "brief needs words in en, es"),
        ({"debrief": []}, "debrief is a list of 1 to 12 items"),
        ({"debrief": [{"key": "x", "en": "X"}]}, "debrief item 1 has no words in 'es'"),
        ({"debrief": [{"en": "X", "es": "X"}]}, "debrief item 1 needs a key"),
        ({"debrief": [GOOD["debrief"][0]] * 2}, "two debrief items have the same key"),
        ({"notes": "free text"}, "unknown field(s) notes"),
        ({"title": {"en": "A", "es": "B", "fr": "C"}}, "languages the console is not: fr"),
    ],
)
def test_a_scenario_that_cannot_be_used_is_refused_saying_where(change, says):
    with pytest.raises(ScenarioError, match=r"quiet_caller\.yml") as refused:
        parse_scenario("quiet_caller.yml", {**GOOD, **change})
    assert says in str(refused.value)


def test_a_scenario_file_that_is_not_yaml_is_refused_by_name(tmp_path):
    (tmp_path / "broken.yml").write_text("key: [unclosed", encoding="utf-8")

    with pytest.raises(ScenarioError, match=r"broken\.yml: not YAML"):
        load_scenarios(tmp_path)


@pytest.fixture
def training(session):
    """A line with Ana (real), Tia (in training) and Tom, a coordinator who trains."""
    line = make_line(session)
    ana = make_specialist(session, line, name="Ana", phone="+14155550171")
    tia = make_specialist(session, line, name="Tia", phone="+14155550172")
    tia.in_training = True
    tom = make_person(session, "Tom", Role.COORDINATOR, phone=TRAINER_PHONE)
    assign_coordinator(session, line, tom, via="cli")
    session.commit()
    return line, ana, tia, tom


def set_up(session, settings, line, trainer, trainee, *, at=None) -> PracticeCall:
    placed = practice.open_practice(
        session,
        line=line,
        trainer=trainer,
        trainee_id=trainee.id,
        scenario_key="quiet_caller",
        caller_id=trainer.id,
        caller_key=settings.caller_key,
        at=at or utcnow(),
    )
    session.commit()
    return placed


def rings(twilio, session, number: str) -> Contact:
    """A call from `number` arrives; return its contact (nobody is on shift: a real caller
    hears that the line is closed, and the crisis numbers)."""
    sid = call_sid()
    response = twilio.post(
        "/webhooks/voice/incoming",
        {"CallSid": sid, "To": LINE_NUMBER, "From": number, "CallStatus": "ringing"},
    )
    twiml.assert_valid_voice(twiml.parse(response))
    session.expire_all()
    return session.scalar(select(Contact).where(Contact.call_sid == sid))


def test_the_next_call_from_the_trainers_phone_is_the_practice_call_and_keeps_no_tag(
    twilio, session, settings, training, redis_client
):
    line, _, tia, tom = training
    placed = set_up(session, settings, line, tom, tia)
    assert placed.caller_tag == caller_tag(TRAINER_PHONE, settings.caller_key)

    contact = rings(twilio, session, TRAINER_PHONE)

    assert (contact.practice, contact.caller_tag, contact.outcome) == (True, None, Outcome.OPEN)
    assert (placed.contact_id, placed.caller_tag) == (contact.id, None)
    assert LiveLine(redis_client, line.id).details(contact.id)["practice_for"] == str(tia.id)
    again = rings(twilio, session, TRAINER_PHONE)
    assert again.practice is False, "one practice call per set-up"


def test_a_call_after_the_window_and_a_real_callers_call_are_real_calls(
    twilio, session, settings, training
):
    line, _, tia, tom = training
    set_up(session, settings, line, tom, tia, at=utcnow() - practice.WINDOW - timedelta(seconds=1))
    late = rings(twilio, session, TRAINER_PHONE)
    waiting = set_up(session, settings, line, tom, tia)

    stranger = rings(twilio, session, STRANGER)

    assert (late.practice, stranger.practice) == (False, False)
    assert stranger.caller_tag == caller_tag(STRANGER, settings.caller_key)
    session.refresh(waiting)
    assert waiting.contact_id is None, "the practice call still waits for the trainer's phone"


def test_a_practice_call_is_never_turned_away_by_a_closed_line_or_a_daily_limit(
    twilio, session, settings, training
):
    line, _, tia, tom = training
    line.opening_hours = {}
    session.commit()
    set_up(session, settings, line, tom, tia)

    contact = rings(twilio, session, TRAINER_PHONE)

    assert contact.outcome is Outcome.OPEN and contact.practice


def test_a_line_with_only_a_trainee_on_shift_tells_real_callers_it_is_closed(
    app, twilio, session, settings, training
):
    line, _, tia, tom = training
    on_shift(app, session, line, tia)
    set_up(session, settings, line, tom, tia)

    stranger = rings(twilio, session, STRANGER)
    drill = rings(twilio, session, TRAINER_PHONE)

    assert (stranger.outcome, stranger.practice) == (Outcome.AFTER_HOURS, False)
    assert (drill.outcome, drill.practice) == (Outcome.OPEN, True)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"scenario_key": "nonsense"}, "no such practice scenario"),
        ({"scenario_key": "spanish_caller"}, "no such practice scenario"),
        ({"trainee": "ana"}, "choose a specialist of the line who is in training"),
        ({"caller": "stranger"}, "comes from the phone of one of the line's people"),
        ({"caller": "tia"}, "the trainee cannot call themselves"),
        ({"trainer": "ana"}, "only a coordinator or supervisor"),
    ],
)
def test_setting_up_a_practice_call_refuses_what_would_reach_a_real_person(
    session, settings, training, change, refusal
):
    line, ana, tia, tom = training
    stranger = make_person(session, "Stranger", phone=STRANGER)
    people = {"ana": ana, "tia": tia, "tom": tom, "stranger": stranger}
    values = {
        "line": line,
        "trainer": people[change.get("trainer", "tom")],
        "trainee_id": people[change.get("trainee", "tia")].id,
        "scenario_key": change.get("scenario_key", "quiet_caller"),
        "caller_id": people[change.get("caller", "tom")].id,
        "caller_key": settings.caller_key,
        "at": utcnow(),
    }

    with pytest.raises(ValueError, match=refusal):
        practice.open_practice(session, **values)


def test_a_practice_call_goes_to_its_trainee_alone_and_a_real_one_never_to_a_trainee(
    redis_client,
):
    live = LiveLine(redis_client, line_id=7)
    live.enqueue(1, language="en", tier=0, arrived_ms=1000)
    live.enqueue(2, language="en", tier=0, arrived_ms=2000, practice_for=12)
    live.go_available(11, ["en"], ready_ms=now_ms() - 9000)
    live.go_available(12, ["en"], ready_ms=now_ms() - 5000, training=True)
    live.go_available(13, ["en"], ready_ms=now_ms() - 1000, training=True)

    first = live.claim(lease_ms=30_000, ring_all=True)
    second = live.claim(lease_ms=30_000, ring_all=True)

    assert (first.contact_id, first.specialist_ids) == (1, (11,))
    assert (second.contact_id, second.specialist_ids) == (2, (12,))
    assert live.claim(lease_ms=30_000) is None, "nobody else is offered either"


def test_on_screen_a_trainee_takes_only_their_practice_call_and_nobody_else_takes_it(
    redis_client,
):
    live = LiveLine(redis_client, line_id=8)
    live.enqueue(1, language="en", tier=0, arrived_ms=1000)
    live.enqueue(2, language="en", tier=0, arrived_ms=2000, practice_for=12)
    live.go_available(11, ["en"], ready_ms=now_ms() - 1000)
    live.go_available(12, ["en"], ready_ms=now_ms() - 1000, training=True)
    live.go_available(13, ["en"], ready_ms=now_ms() - 1000, training=True)

    assert live.claim_one(2, 11) is False
    assert live.claim_one(2, 13) is False
    assert live.claim_one(1, 12) is False
    assert live.claim_one(2, 12) is True
    assert live.claim_one(1, 11) is True


def test_a_trainee_is_offered_no_real_text(session, training):
    line, ana, tia, _ = training
    assert texts_allowed(line, tia) == 0
    assert texts_allowed(line, ana) == line.max_texts_per_specialist


def test_a_practice_call_counts_in_no_report_survey_or_wellbeing_count(session, training):
    line, ana, tia, _ = training
    now = utcnow()
    for is_practice, specialist in ((True, tia), (False, ana)):
        session.add(
            Contact(
                line_id=line.id,
                channel=Channel.VOICE,
                arrived_at=now - timedelta(minutes=10),
                connected_at=now - timedelta(minutes=9),
                ended_at=now - timedelta(minutes=1),
                talk_seconds=480,
                outcome=Outcome.ANSWERED,
                crisis_tier=1,
                specialist_id=specialist.id,
                survey_asked_at=now - timedelta(minutes=1),
                practice=is_practice,
            )
        )
    session.commit()
    today = roster.local_today(line, now)

    assert reports.build(session, line, today, today).total == 1
    assert feedback.report(session, line, today, today).overall.asked == 1
    assert reports.crisis_contacts_this_week(session, line, now) == {ana.id: 1}
    assert reports.own_record(session, line, tia.id, now).month_contacts == 0
    practice_contact = session.scalar(select(Contact).where(Contact.practice.is_(True)))
    practice_contact.survey_asked_at = None
    line.survey_enabled = True
    assert feedback.may_ask(line, practice_contact) is False


def test_a_practice_caller_who_presses_9_hears_the_crisis_numbers_and_nothing_is_dialled():
    drill = ElementTree.fromstring(crisis_line("+18002738255", "en", dial=False))
    real = ElementTree.fromstring(crisis_line("+18002738255", "en"))

    assert twiml.dialled(drill) == [] and twiml.dialled(real) == ["+18002738255"]
    assert twiml.spoken(drill) == twiml.spoken(real)
    assert "9 8 8" in twiml.spoken(drill)


def test_who_may_take_a_contact(session, training):
    line, ana, tia, _ = training
    real = Contact(line_id=line.id, channel=Channel.VOICE, arrived_at=utcnow())
    drill = Contact(line_id=line.id, channel=Channel.VOICE, arrived_at=utcnow(), practice=True)
    drill.practice_call = PracticeCall(
        line_id=line.id, trainee_id=tia.id, scenario="quiet_caller", expires_at=utcnow()
    )

    assert [calls.may_take(real, ana), calls.may_take(real, tia)] == [True, False]
    assert [calls.may_take(drill, ana), calls.may_take(drill, tia)] == [False, True]


def test_a_practice_caller_in_crisis_on_hold_alarms_no_coordinator(app, session, training):
    line, *_ = training
    services = app.extensions["warmline"]
    arrived = utcnow() - timedelta(minutes=3)
    drill = Contact(
        line_id=line.id, channel=Channel.VOICE, arrived_at=arrived, crisis_tier=2, practice=True
    )
    session.add(drill)
    session.commit()
    LiveLine(services.redis, line.id).enqueue(
        drill.id, language="en", tier=2, arrived_ms=int(arrived.timestamp() * 1000)
    )

    assert repairs.warn_of_crisis_waiting(services) == {"crisis_waiting": 0}
