"""A caller's number, name, place and words reach no log line, no table and no Redis key."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest
from rq.job import Job
from sqlalchemy import select

from tests import twiml
from tests.dashboard.conftest import Dashboard
from tests.factories import (
    LINE_NUMBER,
    call_sid,
    make_line,
    make_specialist,
    message_sid,
    on_shift,
)
from tests.fake_twilio import fake_twilio
from tests.processes import work
from warmline import calls, texts, urls, wellbeing
from warmline.crisis.scripts import survey_script
from warmline.live import LiveLine
from warmline.logs import configure_logging
from warmline.models import Base, Channel, Contact, utcnow

NUMBER_FORMS = [
    "+14155550123",
    "14155550123",
    "4155550123",
    "(415) 555-0123",
    "415-555-0123",
    "415 555 0123",
    "5550123",
]
BODY = "I have the pills right here and nobody would notice"
NAME = "Jane Quinterra"
CITY = "SPRINGFIELDTON"
ZIP = "97477"
# A text in a language the line does not speak: answered with the interpreter reply, marked.
FRENCH = "J'ai tous les médicaments ici et personne ne le remarquerait ce soir"
SECRETS = [*NUMBER_FORMS, BODY, "pills right here", FRENCH, "médicaments ici", NAME, CITY, ZIP]


def redis_dump(client) -> str:
    parts = []
    for key in client.scan_iter():
        parts.append(repr(key))
        kind = client.type(key).decode()
        if kind == "none":
            continue  # it expired between the scan and the look: its name is still scanned
        reader = {
            "string": client.get,
            "hash": client.hgetall,
            "list": lambda k: client.lrange(k, 0, -1),
            "set": client.smembers,
            "zset": lambda k: client.zrange(k, 0, -1),
        }[kind]
        parts.append(repr(reader(key)))
    return "\n".join(parts)


def database_dump(session) -> str:
    parts = []
    for table in Base.metadata.sorted_tables:
        parts.extend(repr(tuple(row)) for row in session.execute(select(table)))
    return "\n".join(parts)


def sqlite_files(db_url: str) -> str:
    if not db_url.startswith("sqlite"):
        return ""
    database = Path(db_url.removeprefix("sqlite:///"))
    files = [database, database.with_name(database.name + "-wal")]
    return "\n".join(f.read_bytes().decode("latin-1") for f in files if f.exists())


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_personal_details_sent_to_every_webhook_are_stored_and_logged_nowhere(
    app, twilio, session, redis_client, capfd, caplog, db_url, monkeypatch, settings
):
    configure_logging(settings)  # write to this test's captured stderr
    line = make_line(session, speech_enabled=True)
    on_shift(app, session, line, make_specialist(session, line))
    person = {
        "From": NUMBER_FORMS[0],
        "Caller": NUMBER_FORMS[0],
        "CallerName": NAME,
        "FromCity": CITY,
        "CallerCity": CITY,
        "FromZip": ZIP,
        "CallerZip": ZIP,
        "FromState": "OR",
        "To": LINE_NUMBER,
    }
    sid = call_sid()
    with caplog.at_level(logging.DEBUG):
        greeting = twilio.post("/webhooks/voice/incoming", {"CallSid": sid, **person})
        contact = int(greeting.get_data(as_text=True).split("contact=")[1].split('"')[0])
        said = {"CallSid": sid, "SpeechResult": BODY, "Confidence": "0.93", **person}
        twilio.post(f"/webhooks/voice/language?contact={contact}", said)
        held = {"CallSid": sid, "QueueTime": "30", "QueuePosition": "1", **person}
        twilio.post(f"/webhooks/voice/wait?line={line.id}&contact={contact}", held)
        twilio.post(f"/webhooks/voice/wait/key?line={line.id}&contact={contact}", said)
        twilio.post(
            urls.supervisor_leg_status(contact),
            {"CallSid": call_sid(), "CallStatus": "completed", **person},
        )
        twilio.post(
            "/webhooks/voice/status",
            {"CallSid": sid, "CallStatus": "completed", "CallDuration": "61", **person},
        )
        twilio.post("/webhooks/sms/incoming", {"MessageSid": message_sid(), "Body": BODY, **person})
        french = {"MessageSid": message_sid(), "Body": FRENCH, **person}
        twilio.post("/webhooks/sms/incoming", french)
        twilio.post("/webhooks/fallback", {"MessageSid": message_sid(), "Body": BODY, **person})
        # Refused and malformed requests are logged too: they must not carry the details either.
        twilio.client.post("/webhooks/sms/incoming", data={"Body": BODY, **person})
        twilio.post("/webhooks/sms/incoming", {"MessageSid": "bogus", "Body": BODY, **person})

        def crash_mentioning_the_caller(*args, **kwargs):
            raise RuntimeError(f"could not handle {NUMBER_FORMS[0]} saying {BODY!r}")

        monkeypatch.setattr(calls, "arrive", crash_mentioning_the_caller)
        crashed = twilio.post("/webhooks/voice/incoming", {"CallSid": call_sid(), **person})
    assert crashed.status_code == 200

    written = capfd.readouterr().err
    assert "webhook /webhooks/voice/incoming failed" in written
    assert "RuntimeError: [details withheld]" in written
    assert leaks(written) == []
    assert leaks("\n".join(r.getMessage() for r in caplog.records)) == []
    assert leaks(database_dump(session)) == []
    assert leaks(sqlite_files(db_url)) == []
    assert session.scalars(select(Contact.unspoken_language)).all().count("fr") == 1
    assert redis_client.dbsize() > 0
    assert leaks(redis_dump(redis_client)) == []


def test_json_logs_redact_extra_fields_and_tracebacks(settings, capfd):
    configure_logging(replace(settings, log_format="json"))
    log = logging.getLogger("warmline.test")
    try:
        raise ValueError(f"texter {NUMBER_FORMS[0]} wrote {BODY}")
    except ValueError:
        log.exception("handling a text", extra={"Body": BODY, "caller": NUMBER_FORMS[3]})
    err = capfd.readouterr().err
    assert '"level": "ERROR"' in err
    assert leaks(err) == []


REPLY = "Quinterra, tell me more about Springfieldton"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_closed_text_conversation_leaves_no_number_or_words_anywhere(
    app, twilio, session, redis_client, capfd, caplog, db_url, settings
):
    with fake_twilio() as twilio_api:
        settings = replace(settings, twilio_api_base_url=twilio_api.base_url)
        configure_logging(settings)
        services = app.extensions["warmline"]
        line = make_line(session)
        ana = make_specialist(session, line, name="Ana", phone="+14155550171")
        on_shift(app, session, line, ana)
        person = {"From": NUMBER_FORMS[0], "FromCity": CITY, "FromZip": ZIP, "To": LINE_NUMBER}
        with caplog.at_level(logging.DEBUG):
            twilio.post(
                "/webhooks/sms/incoming", {"MessageSid": message_sid(), "Body": BODY, **person}
            )
            [contact_id] = texts.waiting_texts(session, services.redis, line_id=line.id)
            texts.accept_text(
                session,
                services.redis,
                services.jobs,
                line_id=line.id,
                specialist_id=ana.id,
                at=utcnow(),
            )
            texts.reply(
                session,
                services.redis,
                services.jobs,
                sealer=services.sealer,
                contact_id=contact_id,
                specialist_id=ana.id,
                body=REPLY,
                at=utcnow(),
            )
            worker_logs = work(settings)
            [sent] = [r for r in twilio_api.requests if r.path.endswith("/Messages.json")]
            status_path = sent.form["StatusCallback"][0].removeprefix(settings.public_url)
            twilio.post(
                status_path,
                {"MessageSid": sent.created_sid, "MessageStatus": "delivered", **person},
            )
            twilio.post(
                "/webhooks/sms/incoming", {"MessageSid": message_sid(), "Body": NAME, **person}
            )
            texts.close_conversation(
                session,
                services.redis,
                services.jobs,
                contact_id=contact_id,
                reason=texts.CloseReason.SPECIALIST,
                specialist_id=ana.id,
                at=utcnow(),
            )
            # After a crisis text: her recovery break, and her check-in kept for coordinators.
            wellbeing.check_in(session, services.redis, line=line, specialist=ana, at=utcnow())
    assert services.redis.hget(f"warmline:{{line:{line.id}}}:specialist:{ana.id}", "status") == (
        b"recovery"
    )
    assert any(b"coordinators:notices" in k for k in redis_client.scan_iter())
    assert sent.form["To"] == [NUMBER_FORMS[0]], "the reply did reach the texter"
    written = capfd.readouterr().err + worker_logs
    secrets = [*SECRETS, REPLY, "tell me more"]
    assert [s for s in secrets if s in written] == []
    assert [s for s in secrets if s in "\n".join(r.getMessage() for r in caplog.records)] == []
    assert [s for s in secrets if s in database_dump(session)] == []
    assert [s for s in secrets if s in sqlite_files(db_url)] == []
    assert redis_client.dbsize() > 0
    assert [s for s in secrets if s in redis_dump(redis_client)] == []
    assert not [k for k in redis_client.scan_iter() if b"conversation:" in k or b"texter:" in k]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_the_feedback_questions_keep_numbers_and_nothing_of_the_person(
    app, twilio, session, redis_client, capfd, caplog, db_url, settings
):
    """The keypad questions after a call, and the text after a close with its digit answer."""
    with fake_twilio() as twilio_api:
        settings = replace(settings, twilio_api_base_url=twilio_api.base_url)
        configure_logging(settings)
        services = app.extensions["warmline"]
        line = make_line(session, survey_enabled=True)
        ana = make_specialist(session, line, name="Ana", phone="+14155550171")
        on_shift(app, session, line, ana)
        person = {"From": NUMBER_FORMS[0], "CallerName": NAME, "FromCity": CITY, "FromZip": ZIP,
                  "To": LINE_NUMBER}  # fmt: skip
        sid = call_sid()
        now = utcnow()
        call = Contact(
            line_id=line.id, channel=Channel.VOICE, call_sid=sid, arrived_at=now,
            connected_at=now, specialist_id=ana.id,
        )  # fmt: skip
        session.add(call)
        session.commit()
        with caplog.at_level(logging.DEBUG):
            twilio.post(f"/webhooks/voice/goodbye?contact={call.id}", {"CallSid": sid, **person})
            for question, digits in (("helpful", "4"), ("return", "1")):
                twilio.post(
                    f"/webhooks/voice/survey?contact={call.id}&question={question}&attempt=1",
                    {"CallSid": sid, "Digits": digits, **person},
                )
            twilio.post(
                "/webhooks/voice/status", {"CallSid": sid, "CallStatus": "completed", **person}
            )
            calm = {"MessageSid": message_sid(), "Body": f"{NAME} of {CITY} here, rough week"}
            twilio.post("/webhooks/sms/incoming", {**calm, **person})
            [texter] = texts.waiting_texts(session, services.redis, line_id=line.id)
            texts.accept_text(
                session, services.redis, services.jobs, line_id=line.id, specialist_id=ana.id,
                at=utcnow(),
            )  # fmt: skip
            texts.close_by_specialist(
                session, services.redis, services.jobs, sealer=services.sealer,
                contact_id=texter, specialist_id=ana.id, confirmed=True, at=utcnow(),
            )  # fmt: skip
            worker_logs = work(settings)
            twilio.post(
                "/webhooks/sms/incoming", {"MessageSid": message_sid(), "Body": "3", **person}
            )
    session.expire_all()
    assert session.get(Contact, texter).survey_helpful == 3
    assert [r.form["Body"] for r in twilio_api.requests if r.path.endswith("Messages.json")] == [
        [survey_script("survey_helpful", "sms", "en")]
    ]
    assert (
        session.get(Contact, call.id).survey_helpful,
        session.get(Contact, call.id).survey_would_return,
    ) == (4, True)
    written = capfd.readouterr().err + worker_logs
    assert leaks(written) == []
    assert leaks("\n".join(r.getMessage() for r in caplog.records)) == []
    assert leaks(database_dump(session)) == []
    assert leaks(sqlite_files(db_url)) == []
    assert leaks(redis_dump(redis_client)) == []
    assert not [k for k in redis_client.scan_iter() if b"conversation:" in k or b"texter:" in k]


def rq_job_records(client) -> str:
    """Every job RQ keeps in Redis, its arguments unpickled (they are stored compressed)."""
    parts = []
    for key in client.scan_iter(match="rq:job:*"):
        job_id = key.decode().removeprefix("rq:job:")
        if ":" in job_id:
            continue
        job = Job.fetch(job_id, connection=client)
        parts.append(repr((job.func_name, job.args, job.kwargs, job.description)))
    return "\n".join(parts)


def test_a_number_kept_to_call_back_is_sealed_while_pending_and_gone_once_made(
    app, twilio, session, redis_client, capfd, caplog, db_url, settings
):
    """Press 2 from the number, hang up, wait, get called back and talk: the number reaches the
    Twilio API (to call it) and nothing else — no table, log line, Redis key or value, RQ job
    record or dashboard answer — and its sealed value is deleted once the call back is made."""
    with fake_twilio() as twilio_api:
        settings = replace(settings, twilio_api_base_url=twilio_api.base_url)
        configure_logging(settings)
        line = make_line(session)
        ana = make_specialist(session, line, name="Ana", phone="+14155550171")
        on_shift(app, session, line, ana)
        person = {"From": NUMBER_FORMS[0], "FromCity": CITY, "FromZip": ZIP, "To": LINE_NUMBER}
        dashboard = Dashboard(app.test_client())
        assert dashboard.sign_in(ana.email).status_code == 200
        sid = call_sid()
        with caplog.at_level(logging.DEBUG):
            arrived = twilio.post("/webhooks/voice/incoming", {"CallSid": sid, **person})
            contact = twiml.held_contact(twiml.parse(arrived))
            held = {"CallSid": sid, "QueueTime": "30", "QueuePosition": "1", **person}
            twilio.post(urls.wait(line.id, contact), held)
            twilio.post(urls.wait_key(line.id, contact), {"CallSid": sid, "Digits": "2", **person})
            exit_form = {"CallSid": sid, "QueueResult": "leave", **person}
            twilio.post(urls.queue_exit(contact), exit_form)
            ended = {"CallSid": sid, "CallStatus": "completed", "CallDuration": "40", **person}
            twilio.post("/webhooks/voice/status", ended)
            pending = redis_dump(redis_client) + rq_job_records(redis_client)
            sealed = LiveLine(redis_client, line.id).callback_number(contact)
            dashboard_answers = json.dumps(dashboard.queue())
            worker_logs = work(settings)
            whisper = twiml.parse(
                twilio.post(urls.offer_whisper(contact, ana.id), {"CallSid": call_sid()})
            )
            answer = whisper.find("Gather").get("action")
            twilio.post(answer, {"CallSid": call_sid(), "Digits": "1"})
            pending += rq_job_records(redis_client)
            worker_logs += work(settings)
            [dial] = [r for r in twilio_api.requests if r.form.get("To") == [NUMBER_FORMS[0]]]
            leg = {"CallSid": dial.created_sid, **person, "To": NUMBER_FORMS[0]}
            twilio.post(urls.callback(contact), {**leg, "From": LINE_NUMBER})
            twilio.post(urls.connect(contact), {**leg, "From": LINE_NUMBER})
            dashboard_answers += json.dumps(dashboard.queue())
            done = {**leg, "From": LINE_NUMBER, "CallStatus": "completed", "CallDuration": "300"}
            twilio.post("/webhooks/voice/status", done)
    assert sealed is not None and NUMBER_FORMS[0].encode() not in sealed
    assert dial.form["From"] == [LINE_NUMBER], "the call back did reach the caller"
    written = capfd.readouterr().err + worker_logs
    assert leaks(written) == []
    assert leaks("\n".join(r.getMessage() for r in caplog.records)) == []
    assert leaks(pending) == [], "while the call back was pending"
    assert leaks(dashboard_answers) == []
    assert leaks(database_dump(session)) == []
    assert leaks(sqlite_files(db_url)) == []
    assert leaks(redis_dump(redis_client) + rq_job_records(redis_client)) == []
    assert sealed not in redis_dump(redis_client).encode()
    assert not [k for k in redis_client.scan_iter() if b"callback" in k]
