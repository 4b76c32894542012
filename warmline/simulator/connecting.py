"""The verbs that connect calls: <Enqueue> with its wait music, and <Dial>."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from typing import Any, Protocol

from warmline.simulator.calls import RING_BUFFER_SECONDS, Calls
from warmline.simulator.carrier import Carrier
from warmline.simulator.conferences import Conferences
from warmline.simulator.documents import (
    Document,
    TwimlError,
    check_wait_music,
    flag,
    number,
    resolve,
    text,
)
from warmline.simulator.queues import Queues
from warmline.simulator.state import (
    HANGUP,
    Call,
    CallEnded,
    Interrupt,
    LeaveQueue,
    Queue,
    Redirected,
    Steps,
    Wait,
    wait_until,
)

log = logging.getLogger(__name__)
DIAL_TIMEOUT_SECONDS = 30
DIAL_TIME_LIMIT_SECONDS = 4 * 60 * 60


class Runner(Protocol):
    """What these verbs need from the interpreter that runs them: the network and TwiML."""

    carrier: Carrier
    calls: Calls
    queues: Queues
    conferences: Conferences

    def run(self, call: Call, document: Document, *, in_queue: bool = False) -> Steps:
        """Run one document on a call."""

    def go(self, call: Call, url: str | None, method: str, params: dict[str, str]) -> Any:
        """Fetch the next document from an action URL."""

    def whisper(self, leg: Call, parent: Call) -> Steps:
        """Play a dialled leg's whisper TwiML, then connect it to the call that dialled it."""


def enqueue(interpreter: Runner, call: Call, verb: ET.Element, document: Document) -> Steps:
    """Hold the call in a named queue until it is dequeued, leaves or hangs up."""
    waiting = interpreter.queues.named(text(verb))
    action = resolve(document.url, verb.get("action"))
    method = verb.get("method", "POST")
    joined_at = interpreter.carrier.now()
    if len(waiting.members) >= waiting.max_size:
        result = "queue-full"
    else:
        interpreter.queues.join(waiting, call, interpreter.calls.values())
        try:
            result = yield from _wait_in_queue(interpreter, call, waiting, verb, document)
        except CallEnded:
            if action:
                params = _queue_result(interpreter, waiting, "hangup", joined_at)
                interpreter.carrier.webhooks.send(
                    action, {**interpreter.carrier.webhooks.call_params(call), **params}, method
                )
            raise
    if result == "hangup":
        return "hangup"
    if action is None:
        return None
    return interpreter.go(
        call, action, method, _queue_result(interpreter, waiting, result, joined_at)
    )


def _queue_result(
    interpreter: Runner, waiting: Queue, result: str, joined_at: float
) -> dict[str, str]:
    return {
        "QueueResult": result,
        "QueueSid": waiting.sid,
        "QueueTime": str(int(interpreter.carrier.now() - joined_at)),
    }


def _wait_in_queue(
    interpreter: Runner, call: Call, waiting: Queue, verb: ET.Element, document: Document
) -> Steps:
    wait_url = resolve(document.url, verb.get("waitUrl"))
    wait_method = verb.get("waitUrlMethod", "POST")
    call.interrupts = frozenset({"dequeued"})
    try:
        while True:
            if wait_url is None:
                # Twilio's default hold music: nothing to hear, nothing to do but wait.
                yield Wait(frozenset())
                continue
            outcome: Any = interpreter.carrier.webhooks.fetch(
                call, wait_url, wait_method, interpreter.queues.stats(waiting, call)
            )
            if outcome is None:
                return "system-error"
            while isinstance(outcome, Document):
                if not _playable_while_waiting(interpreter, call, outcome):
                    return "error"
                outcome = yield from interpreter.run(call, outcome, in_queue=True)
            if outcome == HANGUP:
                return "hangup"
    except LeaveQueue:
        return "leave"
    except Redirected:
        _report_redirect(interpreter, call, waiting, verb, document)
        raise
    except Interrupt as interrupt:
        dequeued = interrupt.event
    finally:
        call.interrupts = frozenset()
        interpreter.queues.leave(waiting, call)
    return (yield from _bridged_from_queue(interpreter, call, waiting, dequeued))


def _playable_while_waiting(interpreter: Runner, call: Call, document: Document) -> bool:
    """Check a waitUrl document; one Twilio refuses takes the caller out of the queue."""
    try:
        check_wait_music(document)
    except TwimlError as error:
        log.warning("simulator: call %s ejected from its queue: %s", call.sid, error.reason)
        interpreter.carrier.webhooks.record_error(call, error.code, document.url)
        return False
    return True


def _report_redirect(
    interpreter: Runner, call: Call, waiting: Queue, verb: ET.Element, document: Document
) -> None:
    """Tell the action URL at once that a REST update took the call out; its answer is unused."""
    action = resolve(document.url, verb.get("action"))
    if action is None:
        return
    params = {
        **interpreter.carrier.webhooks.call_params(call),
        "QueueResult": "redirected",
        "QueueSid": waiting.sid,
        "QueueTime": interpreter.queues.stats(waiting, call)["QueueTime"],
    }
    interpreter.carrier.webhooks.send(action, params, verb.get("method", "POST"))


def _bridged_from_queue(interpreter: Runner, call: Call, waiting: Queue, dequeued: tuple) -> Steps:
    """Play the dequeuer's <Queue url> to the waiting caller, then talk until one hangs up."""
    _, agent, url, method = dequeued
    if url:
        extra = {"QueueSid": waiting.sid, "DequeingCallSid": agent.sid}
        outcome: Any = interpreter.carrier.webhooks.fetch(call, url, method, extra)
        while isinstance(outcome, Document):
            outcome = yield from interpreter.run(call, outcome)
    if call.ended or agent.ended:
        return "hangup" if call.ended else "bridged"
    interpreter.calls.bridge(call, agent)
    yield from wait_until("unbridged", "bridged")
    return "bridged"


def dial(interpreter: Runner, call: Call, verb: ET.Element, document: Document) -> Steps:
    """Connect the call to a number, a queue's front caller or a conference."""
    action = resolve(document.url, verb.get("action"))
    method = verb.get("method", "POST")
    nouns = list(verb) or [ET.Element("Number")]
    if not len(verb):
        nouns[0].text = text(verb)
    kind = nouns[0].tag
    started = interpreter.carrier.now()
    try:
        if kind == "Conference":
            status, other = yield from _conference(interpreter, call, verb, nouns[0])
        elif kind == "Queue":
            status, other = yield from _queue(interpreter, call, verb, nouns[0], document)
        elif kind == "Number":
            numbers = [noun for noun in nouns if noun.tag == "Number"]
            status, other = yield from _numbers(interpreter, call, verb, numbers, document)
        else:
            status, other = "failed", None
    except CallEnded:
        if action:
            params = {
                "DialCallStatus": "completed",
                **interpreter.carrier.webhooks.call_params(call),
            }
            params["CallStatus"] = "completed"
            interpreter.carrier.webhooks.send(action, params, method)
        raise
    if action is None:
        return None
    params = {"DialCallStatus": status}
    if other is not None:
        params["DialCallSid"] = other.sid
        params["DialCallDuration"] = str(other.duration(interpreter.carrier.now()))
    elif status == "answered":
        params["DialCallDuration"] = str(int(interpreter.carrier.now() - started))
    return interpreter.go(call, action, method, params)


def _answer_on_bridge(interpreter: Runner, call: Call) -> None:
    if call.status == "ringing":
        interpreter.calls.answer(call)


def _numbers(
    interpreter: Runner,
    call: Call,
    verb: ET.Element,
    numbers: list[ET.Element],
    document: Document,
) -> Steps:
    """Ring every number at once; the first to answer (and finish its whisper) is connected."""
    caller_id = verb.get("callerId") or call.sender
    legs = []
    for noun in numbers:
        callback = resolve(document.url, noun.get("statusCallback"))
        events = (noun.get("statusCallbackEvent") or "completed").replace(",", " ").split()
        leg = interpreter.calls.new(
            sender=caller_id,
            recipient=text(noun),
            direction="outbound-dial",
            parent_sid=call.sid,
            url=resolve(document.url, noun.get("url")),
            method=noun.get("method", "POST"),
            status_callback=callback,
            status_callback_events=frozenset(events),
        )
        legs.append(leg)
    for leg in legs:
        interpreter.calls.call_out(
            leg, lambda answered: interpreter.carrier.scheduler.post(call, "leg-answered", answered)
        )
    # A dialled leg is an outgoing call: it rings for the timeout plus Twilio's buffer. <Dial>
    # calls are not held back by the account's calls per second.
    ringing = number(verb, "timeout", DIAL_TIMEOUT_SECONDS) + RING_BUFFER_SECONDS
    deadline = interpreter.carrier.now() + ringing
    answered = None
    try:
        while answered is None:
            event = yield Wait(
                frozenset({"leg-answered", "leg-ended"}), deadline - interpreter.carrier.now()
            )
            if event[0] == "timeout":
                for leg in legs:
                    interpreter.calls.finish(leg, "no-answer")
                return "no-answer", legs[0]
            if event[0] == "leg-answered":
                answered = event[1]
            elif all(leg.ended for leg in legs):
                return event[1].status, event[1]
        for leg in legs:
            if leg is not answered:
                interpreter.calls.finish(leg, "canceled")
        interpreter.carrier.scheduler.start_task(answered, interpreter.whisper(answered, call))
        while True:
            event = yield Wait(frozenset({"bridged", "leg-ended"}))
            if event[1] is not answered:
                continue
            if event[0] == "leg-ended":
                return "completed", answered
            break
        _answer_on_bridge(interpreter, call)
        limit = number(verb, "timeLimit", DIAL_TIME_LIMIT_SECONDS)
        event = yield Wait(frozenset({"unbridged"}), limit)
        if event[0] == "timeout":
            interpreter.calls.finish(answered, "completed")
        return "completed", answered
    finally:
        for leg in legs:
            if leg.status in ("queued", "initiated", "ringing"):
                interpreter.calls.finish(leg, "canceled")
            elif leg is answered and not leg.ended and call.ended:
                interpreter.calls.finish(leg, "completed")


def _queue(
    interpreter: Runner, call: Call, verb: ET.Element, noun: ET.Element, document: Document
) -> Steps:
    """Take the caller at the front of a queue, waiting up to the timeout for one."""
    waiting = interpreter.queues.named(text(noun))
    deadline = interpreter.carrier.now() + number(verb, "timeout", DIAL_TIMEOUT_SECONDS)
    while not waiting.members:
        event = yield Wait(frozenset({"queue-joined"}), deadline - interpreter.carrier.now())
        if event[0] == "timeout":
            return "no-answer", None
    front = waiting.members[0].call
    interpreter.queues.leave(waiting, front)
    url = resolve(document.url, noun.get("url"))
    interpreter.carrier.scheduler.post(front, "dequeued", call, url, noun.get("method", "POST"))
    while True:
        event = yield Wait(frozenset({"bridged", "unbridged"}))
        if event[0] == "unbridged":
            return "completed", front
        _answer_on_bridge(interpreter, call)


def _conference(interpreter: Runner, call: Call, verb: ET.Element, noun: ET.Element) -> Steps:
    """Stay in a conference room until it ends or the call leaves."""
    room = interpreter.conferences.named(text(noun))
    interpreter.conferences.join(
        room,
        call,
        starts=flag(noun, "startConferenceOnEnter", True),
        ends=flag(noun, "endConferenceOnExit"),
    )
    _answer_on_bridge(interpreter, call)
    limit = number(verb, "timeLimit", DIAL_TIME_LIMIT_SECONDS)
    deadline = interpreter.carrier.now() + limit
    try:
        while True:
            event = yield Wait(
                frozenset({"conference-ended", "conference-changed"}),
                deadline - interpreter.carrier.now(),
            )
            if event[0] in ("conference-ended", "timeout"):
                return "answered", None
    finally:
        if call.conference is not None:
            interpreter.conferences.leave(call)
