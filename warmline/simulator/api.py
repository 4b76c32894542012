"""Twilio's REST API, as much of it as warmline uses, answering as Twilio documents it."""

from __future__ import annotations

import re
from email.utils import formatdate

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from warmline.simulator.calls import MACHINE
from warmline.simulator.engine import Simulator
from warmline.simulator.state import API_VERSION, Call, Conference, Member, Queue, Source, Text
from warmline.simulator.texts import Unsubscribed

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})
ACCOUNT = "/2010-04-01/Accounts/<account_sid>"

bp = Blueprint("twilio_api", __name__, url_prefix=ACCOUNT)


class TwilioError(HTTPException):
    """An error body as Twilio's REST API sends it."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.code = status
        self.twilio_code = code
        self.message = message

    def get_response(self, environ=None, scope=None):
        response = jsonify(
            {
                "code": self.twilio_code,
                "message": self.message,
                "more_info": f"https://www.twilio.com/docs/errors/{self.twilio_code}",
                "status": self.code,
            }
        )
        response.status_code = self.code
        return response


def simulator() -> Simulator:
    return current_app.extensions["simulator"]


@bp.before_request
def authenticate() -> None:
    """Refuse anything but HTTP basic auth with the account SID and auth token."""
    sim = simulator()
    auth = request.authorization
    if auth is None or (auth.username, auth.password) != (sim.account_sid, sim.auth_token):
        raise TwilioError(401, 20003, "Authenticate")
    if request.view_args and request.view_args.get("account_sid") != sim.account_sid:
        raise TwilioError(404, 20404, "The requested resource was not found")


def _date(moment: float | None) -> str | None:
    """Render a simulator moment as Twilio's RFC 2822 date (relative to the wall clock)."""
    if moment is None:
        return None
    sim = simulator()
    import time

    return formatdate(time.time() - (sim.clock.now() - moment), usegmt=True)


def _required_number(name: str, missing_code: int) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise TwilioError(400, missing_code, f"A '{name}' phone number is required.")
    if not E164.match(value):
        code = 21211 if name == "To" else 21212
        raise TwilioError(400, code, f"Invalid '{name}' Phone Number: {value}")
    return value


def _events() -> frozenset[str]:
    raw = request.form.getlist("StatusCallbackEvent") or ["completed"]
    events = frozenset(word for value in raw for word in value.split())
    if not events <= CALL_EVENTS:
        raise TwilioError(400, 21626, "Invalid 'StatusCallbackEvent'")
    return events


def _timeout() -> int:
    try:
        return max(1, min(600, int(request.form.get("Timeout", "60"))))
    except ValueError:
        raise TwilioError(400, 21208, "Invalid Timeout") from None


def _machine_detection() -> str | None:
    """Read MachineDetection (Enable or DetectMessageEnd) and its timeout, 1 to 120 seconds.

    Anything else is error 21234, "Invalid Machine Detection configuration value"
    (https://www.twilio.com/docs/api/errors/21234).
    """
    value = request.form.get("MachineDetection")
    timeout = request.form.get("MachineDetectionTimeout", "30")
    if value is not None and value not in MACHINE:
        raise TwilioError(400, 21234, "Invalid Machine Detection configuration value")
    if not (timeout.isdigit() and 1 <= int(timeout) <= 120):
        raise TwilioError(400, 21234, "Invalid Machine Detection configuration value")
    return value


def call_json(call: Call) -> dict:
    sim = simulator()
    return {
        "sid": call.sid,
        "account_sid": call.account_sid,
        "parent_call_sid": call.parent_sid,
        "to": call.recipient,
        "to_formatted": call.recipient,
        "from": call.sender,
        "from_formatted": call.sender,
        "status": call.status,
        "direction": call.direction,
        "date_created": _date(call.created_at),
        "date_updated": _date(sim.clock.now()),
        "start_time": _date(call.answered_at),
        "end_time": _date(call.ended_at),
        "duration": str(call.duration(sim.clock.now())) if call.ended else None,
        "answered_by": call.answered_by,
        "api_version": API_VERSION,
        "price": None,
        "price_unit": "USD",
        "queue_time": str(int(call.queue_time * 1000)),
        "uri": f"/2010-04-01/Accounts/{call.account_sid}/Calls/{call.sid}.json",
    }


def _first_source(call: Call, url: str | None, twiml: str | None) -> Source:
    """Where a placed call's TwiML comes from once answered; with machine detection, its
    first request says who answered (AnsweredBy)."""
    found = (("AnsweredBy", call.answered_by),) if call.answered_by else ()
    return Source(url=url, method=call.method, twiml=twiml, params=found)


@bp.post("/Calls.json")
def create_call(account_sid: str):
    """Start an outgoing call; it rings after this request has been answered."""
    sim = simulator()
    to = _required_number("To", 21201)
    sender = _required_number("From", 21213)
    url, twiml = request.form.get("Url"), request.form.get("Twiml")
    if not url and not twiml:
        raise TwilioError(400, 21205, "Url parameter is required.")
    with sim.lock:
        call = sim.calls.new(
            sender=sender,
            recipient=to,
            direction="outbound-api",
            url=url,
            method=request.form.get("Method", "POST"),
            fallback_url=request.form.get("FallbackUrl"),
            status_callback=request.form.get("StatusCallback"),
            status_callback_events=_events(),
            timeout=_timeout(),
            machine_detection=_machine_detection(),
        )
        sim.calls.place(
            call,
            lambda answered: sim.scheduler.start_program(
                answered, _first_source(answered, url, twiml)
            ),
        )
        body = call_json(call)
    return jsonify(body), 201


def _find_call(sid: str) -> Call:
    call = simulator().calls.get(sid)
    if call is None:
        raise TwilioError(404, 20404, f"The requested resource /Calls/{sid}.json was not found")
    return call


@bp.post("/Calls/<sid>.json")
def update_call(account_sid: str, sid: str):
    """Redirect a live call to new TwiML, or end it."""
    sim = simulator()
    with sim.lock:
        call = _find_call(sid)
        status = request.form.get("Status")
        url, twiml = request.form.get("Url"), request.form.get("Twiml")
        if call.ended:
            raise TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
        if status in ("completed", "canceled"):
            if status == "canceled" and call.status == "in-progress":
                body = call_json(call)
                return jsonify(body)
            sim.calls.hang_up(call, status if call.status != "in-progress" else "completed")
        elif status:
            raise TwilioError(400, 21218, f"Invalid Status: {status}")
        elif url or twiml:
            if call.status != "in-progress":
                raise TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
            method = request.form.get("Method", "POST")
            # The update's FallbackUrl covers its Url; the number's own fallback no longer applies.
            call.fallback_url = request.form.get("FallbackUrl") if url else None
            sim.scheduler.post(call, "redirect", Source(url=url, method=method, twiml=twiml))
        sim.scheduler.drain()
        return jsonify(call_json(call))


@bp.get("/Calls/<sid>.json")
def fetch_call(account_sid: str, sid: str):
    sim = simulator()
    with sim.lock:
        return jsonify(call_json(_find_call(sid)))


def participant_json(room: Conference, call: Call, *, ends: bool, starts: bool) -> dict:
    return {
        "account_sid": call.account_sid,
        "call_sid": call.sid,
        "conference_sid": room.sid,
        "label": None,
        "status": "connected" if call.conference == room.sid else "queued",
        "muted": call.muted,
        "hold": call.hold,
        "coaching": call.coaching is not None,
        "call_sid_to_coach": call.coaching,
        "end_conference_on_exit": ends,
        "start_conference_on_enter": starts,
        "date_created": _date(call.created_at),
        "date_updated": _date(call.created_at),
        "uri": f"/2010-04-01/Accounts/{call.account_sid}/Conferences/{room.sid}"
        f"/Participants/{call.sid}.json",
    }


def _truthy(name: str, default: bool) -> bool:
    value = request.form.get(name)
    return default if value is None else value.lower() == "true"


def _coached(room: Conference, coach: Call | None, current: str | None = None) -> str | None:
    """Return the SID of the call a participant is to coach, by the Participant resource's rules.

    "If not present, [Coaching] defaults to false unless call_sid_to_coach is defined. If
    true, call_sid_to_coach must be defined"; the coached call must be in the conference
    (error 16028) and not on hold (error 16027).
    """
    coaching = request.form.get("Coaching")
    target = request.form.get("CallSidToCoach") or None
    if coaching is not None and coaching.lower() == "false":
        return None
    if coaching is None and target is None:
        return current
    target = target or current
    if target is None:
        raise TwilioError(400, 20001, "CallSidToCoach is required when Coaching is true")
    coached = next((c for c in room.participants if c.sid == target and c is not coach), None)
    if coached is None:
        raise TwilioError(
            400, 16028, "Participant to be whispered is not present in the conference"
        )
    if coached.hold:
        raise TwilioError(400, 16027, "Participant to be whispered is on hold")
    return target


@bp.post("/Conferences/<room>/Participants.json")
def add_participant(account_sid: str, room: str):
    """Dial a number into a conference, named or by SID, creating it when named."""
    sim = simulator()
    to = _required_number("To", 21201)
    sender = _required_number("From", 21213)
    ends = _truthy("EndConferenceOnExit", False)
    starts = _truthy("StartConferenceOnEnter", True)
    with sim.lock:
        if room.startswith("CF"):
            conference = sim.conferences.get(room)
            if conference is None:
                raise TwilioError(404, 20404, f"Conference {room} was not found")
        else:
            conference = sim.conferences.named(room)
        coaching = _coached(conference, None)
        call = sim.calls.new(
            sender=sender,
            recipient=to,
            direction="outbound-api",
            status_callback=request.form.get("StatusCallback"),
            status_callback_events=_events(),
            timeout=_timeout(),
        )
        call.muted, call.coaching = _truthy("Muted", False), coaching
        body = participant_json(conference, call, ends=ends, starts=starts)
        name = conference.name

        def join(answered: Call) -> None:
            task = sim.interpreter.participant(answered, name, starts=starts, ends=ends)
            sim.scheduler.start_task(answered, task)

        # A participant is a call the API places: it waits its turn like any other.
        sim.calls.place(call, join)
    return jsonify(body), 201


@bp.post("/Conferences/<conference_sid>/Participants/<call_sid>.json")
def update_participant(account_sid: str, conference_sid: str, call_sid: str):
    """Mute, hold, or start or stop a participant coaching, in a conference named by its SID."""
    sim = simulator()
    with sim.lock:
        room = sim.conferences.get(conference_sid)
        call = next((c for c in room.participants if c.sid == call_sid), None) if room else None
        if room is None or call is None:
            raise TwilioError(
                404,
                20404,
                f"The requested resource /Conferences/{conference_sid}/Participants/{call_sid}.json"
                " was not found",
            )
        call.coaching = _coached(room, call, call.coaching)
        if "Muted" in request.form:
            call.muted = _truthy("Muted", False)
        if "Hold" in request.form:
            call.hold = _truthy("Hold", False)
        return jsonify(participant_json(room, call, ends=call.ends_conference, starts=True))


def member_json(waiting: Queue, member: Member, position: int) -> dict:
    return {
        "call_sid": member.call.sid,
        "queue_sid": waiting.sid,
        "position": position,
        "wait_time": int(simulator().clock.now() - member.enqueued_at),
        "date_enqueued": _date(member.enqueued_at),
        "uri": f"/2010-04-01/Accounts/{member.call.account_sid}/Queues/{waiting.sid}"
        f"/Members/{member.call.sid}.json",
    }


def queue_json(waiting: Queue) -> dict:
    sim = simulator()
    return {
        "account_sid": sim.account_sid,
        "sid": waiting.sid,
        "friendly_name": waiting.name,
        "current_size": len(waiting.members),
        "max_size": waiting.max_size,
        "average_wait_time": waiting.average_wait(sim.clock.now()),
        "date_created": _date(waiting.created_at),
        "date_updated": _date(sim.clock.now()),
        "uri": f"/2010-04-01/Accounts/{sim.account_sid}/Queues/{waiting.sid}.json",
    }


@bp.get("/Queues/<queue_sid>.json")
def fetch_queue(account_sid: str, queue_sid: str):
    """Describe a queue: its size and the average wait of the calls in it now."""
    sim = simulator()
    with sim.lock:
        waiting = sim.queues.get(queue_sid)
        if waiting is None:
            raise TwilioError(
                404, 20404, f"The requested resource /Queues/{queue_sid}.json was not found"
            )
        return jsonify(queue_json(waiting))


@bp.post("/Queues/<queue_sid>/Members/<member>.json")
def dequeue_member(account_sid: str, queue_sid: str, member: str):
    """Take a waiting call (or the one in front) out of the queue onto new TwiML."""
    sim = simulator()
    url = request.form.get("Url")
    if not url:
        raise TwilioError(400, 21205, "Url parameter is required.")
    with sim.lock:
        waiting = sim.queues.find(queue_sid)
        if waiting is None:
            raise TwilioError(404, 20404, f"Queue {queue_sid} was not found")
        members = waiting.members
        found = members[:1] if member == "Front" else [m for m in members if m.call.sid == member]
        if not found:
            raise TwilioError(404, 20404, f"Member {member} was not found in queue {queue_sid}")
        body = member_json(waiting, found[0], waiting.position(found[0].call))
        source = Source(url=url, method=request.form.get("Method", "POST"))
        sim.scheduler.post(found[0].call, "redirect", source)
        sim.scheduler.drain()
    return jsonify(body)


def message_json(text: Text) -> dict:
    return {
        "sid": text.sid,
        "account_sid": simulator().account_sid,
        "to": text.recipient,
        "from": text.sender,
        "body": text.body,
        "status": text.status,
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": "0",
        "api_version": API_VERSION,
        "date_created": _date(text.at),
        "date_updated": _date(text.at),
        "date_sent": None,
        "error_code": None,
        "error_message": None,
        "price": None,
        "uri": f"/2010-04-01/Accounts/{simulator().account_sid}/Messages/{text.sid}.json",
    }


@bp.post("/Messages.json")
def create_message(account_sid: str):
    """Send a text to a simulated phone; one that opted out of the sender is refused, 21610."""
    sim = simulator()
    to = _required_number("To", 21604)
    sender = _required_number("From", 21603)
    body = request.form.get("Body", "")
    if not body.strip():
        raise TwilioError(400, 21602, "Message body is required.")
    if len(body) > 1600:
        raise TwilioError(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    with sim.lock:
        try:
            text = sim.texts.send(
                sender=sender,
                recipient=to,
                body=body,
                status_callback=request.form.get("StatusCallback"),
            )
        except Unsubscribed as refused:
            raise TwilioError(400, refused.code, refused.message) from None
        return jsonify(message_json(text)), 201


def init_app(app: Flask, sim: Simulator) -> None:
    app.extensions["simulator"] = sim
    app.register_blueprint(bp)
