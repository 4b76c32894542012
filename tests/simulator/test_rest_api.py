"""warmline's own Twilio gateway works against the simulator's REST API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.conftest import ACCOUNT_SID
from tests.services import wait_for
from warmline.gateway import TwilioRefused
from warmline.simulator.state import APPLICATION_ERROR
from warmline.telephony import TwilioGateway

LINE = "+15017122661"
CALLER = "+14155550123"
SPECIALIST = "+14155550177"
OTHER_CALLER = "+14155550124"
CALLS_DOC = "https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource"
PARTICIPANTS_DOC = "https://www.twilio.com/docs/voice/api/conference-participant-resource"
CPS_DOC = "https://www.twilio.com/docs/glossary/cps"
CALL_QUEUE_DOC = "https://www.twilio.com/docs/api/errors/22005"
QUEUE_DOC = "https://www.twilio.com/docs/voice/api/queue-resource"
ENQUEUE_DOC = "https://www.twilio.com/docs/voice/twiml/enqueue#attributes-waiturl"


@pytest.fixture
def sim(api):
    """The served simulator (the REST API's), in place of conftest's in-process one."""
    return api[0]


@pytest.fixture
def client(api):
    settings = api[1]
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    client.api.base_url = settings.twilio_api_base_url
    return client


def ring(gateway, script, timeout_seconds=20):
    return gateway.ring_specialist(
        to=SPECIALIST,
        from_=LINE,
        url=script.base_url + "/whisper",
        status_callback=script.base_url + "/status",
        timeout_seconds=timeout_seconds,
    )


def statuses(script):
    return [(form["CallStatus"], form["SequenceNumber"]) for form in script.requests_to("/status")]


def test_ringing_a_specialist_reports_progress_and_plays_the_whisper(sim, gateway, script, clock):
    script["/whisper"] = "<Response><Say>A caller is waiting.</Say><Pause length='30'/></Response>"
    specialist = sim.phone(SPECIALIST).answers_after(rings=2)

    sid = ring(gateway, script)
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")
    clock.advance(12)

    assert specialist.heard == ["A caller is waiting."]
    assert statuses(script) == [("initiated", "0"), ("ringing", "1"), ("in-progress", "2")]
    clock.advance(5)
    gateway.hang_up(sid)
    completed = script.requests_to("/status")[-1]
    assert completed["CallStatus"] == "completed"
    assert completed["SequenceNumber"] == "3"
    assert completed["CallDuration"] == "5"
    assert all(seen.signed for seen in script.seen)


def test_a_specialist_who_does_not_answer_rings_for_the_timeout_and_twilios_buffer(
    sim, gateway, script, clock
):
    """Timeout: "we will add a 5-second buffer to the timeout value you provide" (CALLS_DOC)."""
    specialist = sim.phone(SPECIALIST).never_answers()
    ring(gateway, script, timeout_seconds=20)
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")

    clock.advance(24)
    assert specialist.ringing
    clock.advance(1)

    assert statuses(script)[-1] == ("no-answer", "2")
    assert script.requests_to("/status")[-1]["CallDuration"] == "0"
    assert specialist.state == "idle"


def test_a_conference_participant_rings_for_the_timeout_and_twilios_buffer(
    sim, gateway, script, clock
):
    """Participants Timeout: "We always add a 5-second timeout buffer to outgoing calls"
    (PARTICIPANTS_DOC)."""
    specialist = sim.phone(SPECIALIST).never_answers()
    sid = gateway.add_conference_participant(
        conference="contact-42",
        to=SPECIALIST,
        from_=LINE,
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
    )
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")

    clock.advance(24)
    assert specialist.ringing
    clock.advance(1)

    assert sim.calls[sid].status == "no-answer"
    assert specialist.state == "idle"


def test_calls_beyond_one_a_second_wait_queued_and_then_ring_their_full_time(
    sim, gateway, client, script, clock
):
    """Each account places 1 API call a second by default; the others wait in its call queue
    (CPS_DOC, CALL_QUEUE_DOC). Waiting is not ringing: Timeout counts from the ring."""
    numbers = [f"+1415555017{digit}" for digit in (1, 2, 3)]
    phones = [sim.phone(number).never_answers() for number in numbers]
    sids = [
        gateway.ring_specialist(
            to=number,
            from_=LINE,
            url=script.base_url + "/whisper",
            status_callback=script.base_url + "/status",
            timeout_seconds=20,
        )
        for number in numbers
    ]
    wait_for(lambda: phones[0].ringing, timeout=10, what="the first phone to ring")

    assert [sim.calls[sid].status for sid in sids] == ["ringing", "queued", "queued"]
    last = client.calls(sids[2]).fetch()
    assert (last.status, last.queue_time) == ("queued", "2000")
    assert not phones[2].ringing
    clock.advance(1)
    assert [phone.ringing for phone in phones] == [True, True, False]
    clock.advance(1)
    assert phones[2].ringing

    clock.advance(24)
    assert [sim.calls[sid].status for sid in sids] == ["no-answer", "no-answer", "ringing"]
    clock.advance(1)
    assert sim.calls[sids[2]].status == "no-answer"


def test_dialled_calls_are_not_held_back_by_the_api_calls_queued(sim, gateway, script, clock):
    """Twilio: "Inbound calls and <Dial> calls are not limited by CPS" (CPS_DOC)."""
    script["/webhooks/voice/incoming"] = f"<Response><Dial>{OTHER_CALLER}</Dial></Response>"
    first, queued = sim.phone(SPECIALIST).never_answers(), sim.phone("+14155550178")
    dialled = sim.phone(OTHER_CALLER).never_answers()
    ring(gateway, script)
    second = gateway.ring_specialist(
        to=queued.number,
        from_=LINE,
        url=script.base_url + "/whisper",
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
    )
    wait_for(lambda: first.ringing, timeout=10, what="the first phone to ring")

    sim.phone(CALLER).dial(LINE)

    assert dialled.ringing
    assert sim.calls[second].status == "queued"


def test_a_queued_call_canceled_before_its_turn_never_rings(sim, gateway, script, clock):
    """A call still queued can be ended before it is placed (CALLS_DOC, "Update a Call")."""
    first, second = sim.phone(SPECIALIST).never_answers(), sim.phone(CALLER).never_answers()
    ring(gateway, script)
    queued = gateway.ring_specialist(
        to=CALLER,
        from_=LINE,
        url=script.base_url + "/whisper",
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
    )
    wait_for(lambda: first.ringing, timeout=10, what="the first phone to ring")

    gateway.hang_up(queued)
    clock.advance(2)

    assert sim.calls[queued].ended
    assert second.transcript == []


def test_redirect_moves_a_live_call_to_new_twiml(sim, gateway, script, clock):
    script["/webhooks/voice/incoming"] = "<Response><Play loop='0'>hold.mp3</Play></Response>"
    script["/elsewhere"] = "<Response><Say>You have been moved.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    gateway.redirect_call(
        call.sid, script.base_url + "/elsewhere", fallback_url=script.base_url + "/safe"
    )

    assert caller.heard == ["You have been moved."]


def test_a_call_redirected_out_of_a_queue_reports_redirected_to_the_action_first(
    sim, gateway, script, clock
):
    """Follow https://www.twilio.com/docs/voice/twiml/enqueue (action, QueueResult).

    Dequeued by a REST API request, the action URL is requested right away, with
    QueueResult "redirected"; the call then runs the TwiML the update named.
    """
    script["/webhooks/voice/incoming"] = (
        "<Response><Enqueue action='/left' waitUrl='/hold'>line-1</Enqueue></Response>"
    )
    script["/hold"] = "<Response><Play>hold.mp3</Play></Response>"
    script["/left"] = "<Response><Say>The action's answer.</Say></Response>"
    script["/elsewhere"] = "<Response><Say>You have been moved.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(4)

    gateway.redirect_call(
        call.sid, script.base_url + "/elsewhere", fallback_url=script.base_url + "/safe"
    )

    paths = [seen.path for seen in script.seen]
    assert paths[-2:] == ["/left", "/elsewhere"]
    left = script.requests_to("/left")[0]
    assert left["QueueResult"] == "redirected"
    assert left["QueueSid"] == sim.queues.named("line-1").sid
    assert left["QueueTime"] == "4"
    assert left["CallSid"] == call.sid
    assert caller.heard == ["You have been moved."]
    assert sim.queues.named("line-1").members == []


@pytest.mark.parametrize("failure", ["status", "invalid"])
def test_a_redirect_with_a_fallback_url_uses_it_when_the_url_fails(
    sim, client, script, clock, failure
):
    """Follow https://www.twilio.com/docs/voice/api/call-resource (update, FallbackUrl).

    FallbackUrl is requested when requesting or executing the TwiML at the update's Url fails.
    """
    script["/webhooks/voice/incoming"] = "<Response><Play loop='0'>hold.mp3</Play></Response>"
    if failure == "status":
        script.failing["/elsewhere"] = 500
    else:
        script["/elsewhere"] = "<Response><Dance/></Response>"
    script["/safe"] = "<Response><Say>You are safe with us.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    client.calls(call.sid).update(
        url=script.base_url + "/elsewhere", fallback_url=script.base_url + "/safe"
    )

    assert caller.heard == ["You are safe with us."]
    safe = script.requests_to("/safe")[0]
    assert safe["ErrorUrl"] == script.base_url + "/elsewhere"
    assert safe["ErrorCode"] == ("11200" if failure == "status" else "12100")


def test_a_redirect_without_a_fallback_url_plays_the_application_error(sim, client, script, clock):
    """Follow https://www.twilio.com/docs/voice/api/call-resource (update, FallbackUrl).

    The fallback belongs to the update's Url: without one, a failing Url is Twilio's
    application error, not the number's own fallback.
    """
    script["/webhooks/voice/incoming"] = "<Response><Play loop='0'>hold.mp3</Play></Response>"
    script.failing["/elsewhere"] = 500
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    client.calls(call.sid).update(url=script.base_url + "/elsewhere")

    assert caller.heard == [APPLICATION_ERROR]
    assert script.requests_to("/webhooks/fallback") == []


def test_conference_participant_joins_the_caller_waiting_in_the_room(sim, gateway, script, clock):
    script["/webhooks/voice/incoming"] = (
        "<Response><Dial><Conference>contact-42</Conference></Dial></Response>"
    )
    caller = sim.phone(CALLER)
    specialist = sim.phone(SPECIALIST).answers_after(rings=1)
    caller.dial(LINE)

    gateway.add_conference_participant(
        conference="contact-42",
        to=SPECIALIST,
        from_=LINE,
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
    )
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")
    clock.advance(6)

    assert caller.connected_to == [SPECIALIST]
    assert specialist.connected_to == [CALLER]


def test_texts_reach_the_phone_and_report_delivery(sim, gateway, script):
    phone = sim.phone(CALLER)

    sid = gateway.send_text(
        to=CALLER, from_=LINE, body="Hello from the line", status_callback=script.base_url + "/sms"
    )

    wait_for(lambda: len(script.requests_to("/sms")) == 2, timeout=10, what="delivery reports")
    assert [text.body for text in phone.texts] == ["Hello from the line"]
    reports = script.requests_to("/sms")
    assert [(r["MessageSid"], r["MessageStatus"]) for r in reports] == [
        (sid, "sent"),
        (sid, "delivered"),
    ]


def test_a_queue_member_can_be_taken_out_of_the_queue(sim, client, script, clock):
    script["/webhooks/voice/incoming"] = "<Response><Enqueue>line-1</Enqueue></Response>"
    script["/connect"] = "<Response><Say>Connecting you now.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    queue_sid = sim.queues.named("line-1").sid

    member = client.queues(queue_sid).members(call.sid).update(url=script.base_url + "/connect")

    assert member.call_sid == call.sid
    assert caller.heard == ["Connecting you now."]
    assert sim.queues.named("line-1").members == []


def test_average_queue_time_is_the_wait_of_the_callers_in_the_queue_now(sim, client, script, clock):
    """AvgQueueTime: "the average time in seconds that all callers have been in the queue"
    (ENQUEUE_DOC); average_wait_time: "of the members in this queue ... calculated at the time
    of the request" (QUEUE_DOC). A caller already served no longer counts."""
    script["/webhooks/voice/incoming"] = (
        "<Response><Enqueue waitUrl='/wait'>line-1</Enqueue></Response>"
    )
    script["/wait"] = "<Response><Pause length='5'/></Response>"
    served = sim.phone(CALLER).dial(LINE)
    clock.advance(100)
    sim.phone(OTHER_CALLER).dial(LINE)
    queue_sid = sim.queues.named("line-1").sid
    client.queues(queue_sid).members(served.sid).update(url=script.base_url + "/connect")

    clock.advance(20)

    queue = client.queues(queue_sid).fetch()
    assert (queue.current_size, queue.average_wait_time) == (1, 20)
    last_wait = script.requests_to("/wait")[-1]
    assert (last_wait["QueueTime"], last_wait["AvgQueueTime"]) == ("20", "20")


def test_a_queue_is_described_with_the_fields_twilio_documents(sim, client, script, clock):
    """The Queue resource's properties (QUEUE_DOC)."""
    script["/webhooks/voice/incoming"] = "<Response><Enqueue>line-1</Enqueue></Response>"
    sim.phone(CALLER).dial(LINE)
    clock.advance(30)
    waiting = sim.queues.named("line-1")

    queue = client.queues(waiting.sid).fetch()

    assert queue.sid == waiting.sid
    assert queue.account_sid == ACCOUNT_SID
    assert queue.friendly_name == "line-1"
    assert (queue.current_size, queue.max_size, queue.average_wait_time) == (1, 1000, 30)
    assert queue.date_created is not None
    assert queue.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Queues/{waiting.sid}.json"


def test_an_unknown_queue_is_404_with_20404(client):
    with pytest.raises(TwilioRestException) as refused:
        client.queues("QU" + "0" * 32).fetch()
    assert (refused.value.status, refused.value.code) == (404, 20404)


def test_an_invalid_to_number_is_refused_with_21211(gateway, script):
    with pytest.raises(TwilioRefused) as refused:
        gateway.send_text(to="12", from_=LINE, body="hi", status_callback=script.base_url)
    assert refused.value.code == 21211
    assert refused.value.status == 400


def test_an_unknown_call_is_404_with_20404(gateway):
    with pytest.raises(TwilioRefused) as refused:
        gateway.hang_up("CA" + "0" * 32)
    assert refused.value.code == 20404
    assert refused.value.status == 404


def test_wrong_credentials_are_refused_with_20003(api, script):
    gateway = TwilioGateway(replace(api[1], twilio_auth_token="not-the-token"))
    with pytest.raises(TwilioRefused) as refused:
        ring(gateway, script)
    assert refused.value.code == 20003
    assert refused.value.status == 401


def test_a_timeout_that_is_not_a_number_is_refused_with_21208(client, script):
    """21208 Invalid Timeout: "You may specify any positive, whole integer for the Timeout
    parameter" (https://www.twilio.com/docs/api/errors/21208)."""
    with pytest.raises(TwilioRestException) as refused:
        client.calls.create(to=SPECIALIST, from_=LINE, url=script.base_url, timeout="soon")
    assert (refused.value.status, refused.value.code) == (400, 21208)


GATHER_DOC = "https://www.twilio.com/docs/voice/twiml/gather"


def redirected_out_of_a_room(sim, gateway, script, clock):
    """A caller alone in a conference, taken out by a REST redirect to a one-key question."""
    script["/webhooks/voice/incoming"] = (
        "<Response><Dial><Conference endConferenceOnExit='true' beep='false'>contact-7"
        "</Conference></Dial></Response>"
    )
    script["/question"] = (
        "<Response><Gather numDigits='1' timeout='6' action='/answer' actionOnEmptyResult='true'>"
        "<Say>How helpful was this call? Press 1 to 5.</Say></Gather></Response>"
    )
    script["/answer"] = "<Response><Say>Thank you.</Say><Hangup/></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(2)
    gateway.redirect_call(
        call.sid, script.base_url + "/question", fallback_url=script.base_url + "/safe"
    )
    assert caller.heard == ["How helpful was this call? Press 1 to 5."]
    return caller


def test_a_caller_redirected_out_of_a_conference_answers_a_question_with_a_key(
    sim, gateway, script, clock
):
    """A redirected call runs the new TwiML (CALLS_DOC, "url" of an update); <Gather> with
    numDigits="1" posts the key as Digits to its action at once (GATHER_DOC, numDigits)."""
    caller = redirected_out_of_a_room(sim, gateway, script, clock)

    caller.press("4")
    clock.advance(2)

    assert [form["Digits"] for form in script.requests_to("/answer")] == ["4"]
    assert caller.heard[-1] == "Thank you."
    assert caller.state == "idle"


def test_silence_at_a_question_posts_an_empty_answer_with_action_on_empty_result(
    sim, gateway, script, clock
):
    """actionOnEmptyResult="true" sends the action request even with no input (GATHER_DOC)."""
    caller = redirected_out_of_a_room(sim, gateway, script, clock)

    caller.stay_silent(12)
    clock.advance(12)

    assert [form.get("Digits", "") for form in script.requests_to("/answer")] == [""]


def test_a_caller_who_hangs_up_at_a_question_sends_no_answer(sim, gateway, script, clock):
    """The action is requested when input ends (a key, the finish key, or the timeout:
    GATHER_DOC); a call that ends first has nothing to send, and only its status callback
    reports the hang-up."""
    caller = redirected_out_of_a_room(sim, gateway, script, clock)

    caller.hang_up()
    clock.advance(10)

    assert script.requests_to("/answer") == []


def reported_statuses(script, sid: str) -> list[str]:
    """Return one call's reported statuses in Twilio's order (SequenceNumber), not arrival's."""
    forms = [form for form in script.requests_to("/status") if form["CallSid"] == sid]
    return [form["CallStatus"] for form in sorted(forms, key=lambda f: int(f["SequenceNumber"]))]


def call_back(gateway, script):
    return gateway.call_back(
        to=CALLER,
        from_=LINE,
        url=script.base_url + "/intro",
        status_callback=script.base_url + "/status",
        timeout_seconds=30,
    )


def test_a_call_back_from_the_line_rings_the_person_and_plays_its_twiml_once_answered(
    sim, gateway, script, clock
):
    """A call created From the account's number To a phone (CALLS_DOC): the person sees the
    line's number, and the Url's TwiML plays once they answer."""
    script["/intro"] = "<Response><Say>This is the warm line.</Say></Response>"
    person = sim.phone(CALLER).answers_after(rings=1)
    sid = call_back(gateway, script)
    wait_for(lambda: person.ringing, timeout=10, what="the person's phone to ring")
    assert sim.calls[sid].sender == LINE and sim.calls[sid].direction == "outbound-api"
    clock.advance(10)
    assert person.heard == ["This is the warm line."]
    assert reported_statuses(script, sid)[:3] == ["initiated", "ringing", "in-progress"]


@pytest.mark.parametrize(
    ("set_up", "ending", "rang"),
    [
        (lambda phone: phone.never_answers(), "no-answer", True),
        (lambda phone: phone.is_busy(), "busy", True),
        (lambda phone: phone.is_unreachable(), "failed", False),
    ],
    ids=["no-answer", "busy", "failed"],
)
def test_a_call_back_nobody_takes_ends_as_twilio_reports_it(
    sim, gateway, script, clock, set_up, ending, rang
):
    """CallStatus values (CALLS_DOC): no-answer ("the call ended without being answered"),
    busy ("the caller received a busy signal"), failed ("the call could not be completed as
    dialed, most likely because the phone number was non-existent"); a failed call never
    rings. The status callback reports each, and the Url is never fetched."""
    set_up(sim.phone(CALLER))
    sid = call_back(gateway, script)
    placed = ("queued", "initiated")
    wait_for(lambda: sim.calls[sid].status not in placed, timeout=10, what="the call placed")
    clock.advance(40)
    wait_for(lambda: sim.calls[sid].ended, timeout=10, what="the call to end")
    assert sim.calls[sid].status == ending
    wait_for(
        lambda: ending in reported_statuses(script, sid), timeout=10, what="the ending reported"
    )
    reported = reported_statuses(script, sid)
    assert reported[-1] == ending
    assert ("ringing" in reported) is rang
    assert [f for f in script.requests_to("/intro") if f["CallSid"] == sid] == []


AMD_DOC = "https://www.twilio.com/docs/voice/answering-machine-detection"


def first_request(script, path: str, sid: str) -> dict[str, str]:
    wait_for(
        lambda: any(f["CallSid"] == sid for f in script.requests_to(path)),
        timeout=10,
        what=f"a request to {path}",
    )
    return next(f for f in script.requests_to(path) if f["CallSid"] == sid)


def a_person(phone):
    return phone.answers_after(rings=1).has_voicemail(after_rings=4)


def a_voicemail_box(phone):
    return phone.never_answers().has_voicemail(after_rings=2)


@pytest.mark.parametrize(
    ("detection", "set_up", "answered_by"),
    [
        ("Enable", a_person, "human"),
        ("Enable", a_voicemail_box, "machine_start"),
        ("DetectMessageEnd", a_voicemail_box, "machine_end_beep"),
    ],
    ids=["person", "voicemail", "voicemail-message-end"],
)
def test_machine_detection_tells_the_url_who_answered(
    sim, client, script, clock, detection, set_up, answered_by
):
    """MachineDetection=Enable sends AnsweredBy with the Url's request "as soon as it
    identifies the called party"; DetectMessageEnd once a machine's greeting has ended
    (machine_end_beep); the Call resource keeps it in answered_by (AMD_DOC)."""
    script["/intro"] = "<Response><Say>Hello.</Say></Response>"
    set_up(sim.phone(CALLER))
    call = client.calls.create(
        to=CALLER, from_=LINE, url=script.base_url + "/intro", machine_detection=detection
    )
    wait_for(lambda: sim.phone(CALLER).ringing, timeout=10, what="the phone to ring")
    clock.advance(30)
    assert first_request(script, "/intro", call.sid)["AnsweredBy"] == answered_by
    assert client.calls(call.sid).fetch().answered_by == answered_by


def test_without_machine_detection_the_url_is_not_told_who_answered(sim, client, script, clock):
    """AnsweredBy comes only with MachineDetection (AMD_DOC): a voicemail box that takes the
    call is not told apart, and hears the TwiML as a person would."""
    script["/intro"] = "<Response><Say>This is the warm line.</Say></Response>"
    phone = a_voicemail_box(sim.phone(CALLER))
    call = client.calls.create(to=CALLER, from_=LINE, url=script.base_url + "/intro")
    wait_for(lambda: phone.ringing, timeout=10, what="the phone to ring")
    clock.advance(30)
    assert "AnsweredBy" not in first_request(script, "/intro", call.sid)
    assert client.calls(call.sid).fetch().answered_by is None
    assert phone.heard == ["This is the warm line."], "the box keeps it for whoever plays it"


def test_a_voicemail_box_hangs_up_once_it_has_recorded_its_longest_message(
    sim, client, script, clock
):
    script["/intro"] = '<Response><Pause length="600"/></Response>'
    phone = sim.phone(CALLER).never_answers().has_voicemail(after_rings=1)
    call = client.calls.create(to=CALLER, from_=LINE, url=script.base_url + "/intro")
    wait_for(lambda: phone.ringing, timeout=10, what="the phone to ring")
    clock.advance(30)
    assert sim.calls[call.sid].status == "in-progress"
    clock.advance(130)
    wait_for(lambda: sim.calls[call.sid].ended, timeout=10, what="the box to hang up")
    assert sim.calls[call.sid].status == "completed"


@pytest.mark.parametrize(
    "setting",
    [{"machine_detection": "Yes"}, {"machine_detection": "Enable", "machine_detection_timeout": 0}],
    ids=["unknown-mode", "timeout-out-of-range"],
)
def test_a_machine_detection_setting_twilio_does_not_allow_is_refused_with_21234(
    client, script, setting
):
    """21234 Invalid Machine Detection configuration value (https://www.twilio.com/docs/api/
    errors/21234): MachineDetection is Enable or DetectMessageEnd, MachineDetectionTimeout 1 to
    120 seconds (the REST API's parameters, AMD_DOC)."""
    with pytest.raises(TwilioRestException) as refused:
        client.calls.create(to=CALLER, from_=LINE, url=script.base_url, **setting)
    assert (refused.value.status, refused.value.code) == (400, 21234)
