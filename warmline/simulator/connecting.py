"""The verbs that connect calls: <Enqueue> with its wait music, and <Dial>."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from warmline.simulator.documents import Document, flag, number, text
from warmline.simulator.state import Call, CallEnded, Interrupt, Queue, Wait

if TYPE_CHECKING:
    from warmline.simulator.twiml import Interpreter, Steps

DIAL_TIMEOUT_SECONDS = 30
DIAL_TIME_LIMIT_SECONDS = 4 * 60 * 60


def enqueue(interpreter: Interpreter, call: Call, verb: ET.Element, document: Document) -> Steps:
    """Hold the call in a named queue until it is dequeued, leaves or hangs up."""
    from warmline.simulator.twiml import resolve

    sim = interpreter.sim
    waiting = sim.queue_named(text(verb))
    action = resolve(document.url, verb.get("action"))
    method = verb.get("method", "POST")
    joined_at = sim.now()
    if len(waiting.members) >= waiting.max_size:
        result = "queue-full"
    else:
        sim.join_queue(waiting, call)
        try:
            result = yield from _wait_in_queue(interpreter, call, waiting, verb, document)
        except CallEnded:
            if action:
                params = _queue_result(sim, waiting, "hangup", joined_at)
                sim.send(action, {**sim.call_params(call), **params}, method)
            raise
    if result == "hangup":
        return "hangup"
    if action is None:
        return None
    return interpreter.go(call, action, method, _queue_result(sim, waiting, result, joined_at))


def _queue_result(sim, waiting: Queue, result: str, joined_at: float) -> dict[str, str]:
    return {
        "QueueResult": result,
        "QueueSid": waiting.sid,
        "QueueTime": str(int(sim.now() - joined_at)),
    }


def _wait_in_queue(
    interpreter: Interpreter, call: Call, waiting: Queue, verb: ET.Element, document: Document
) -> Steps:
    from warmline.simulator.twiml import HANGUP, LeaveQueue, resolve

    sim = interpreter.sim
    wait_url = resolve(document.url, verb.get("waitUrl"))
    wait_method = verb.get("waitUrlMethod", "POST")
    call.interrupts = frozenset({"dequeued"})
    try:
        while True:
            if wait_url is None:
                # Twilio's default hold music: nothing to hear, nothing to do but wait.
                yield Wait(frozenset())
                continue
            outcome: Any = sim.fetch(call, wait_url, wait_method, sim.queue_stats(waiting, call))
            if outcome is None:
                return "system-error"
            while isinstance(outcome, Document):
                outcome = yield from interpreter.run(call, outcome, in_queue=True)
            if outcome == HANGUP:
                return "hangup"
    except LeaveQueue:
        return "leave"
    except Interrupt as interrupt:
        dequeued = interrupt.event
    finally:
        call.interrupts = frozenset()
        sim.leave_queue(waiting, call)
    return (yield from _bridged_from_queue(interpreter, call, waiting, dequeued))


def _bridged_from_queue(
    interpreter: Interpreter, call: Call, waiting: Queue, dequeued: tuple
) -> Steps:
    """Play the dequeuer's <Queue url> to the waiting caller, then talk until one hangs up."""
    sim = interpreter.sim
    _, agent, url, method = dequeued
    if url:
        extra = {"QueueSid": waiting.sid, "DequeingCallSid": agent.sid}
        outcome: Any = sim.fetch(call, url, method, extra)
        while isinstance(outcome, Document):
            outcome = yield from interpreter.run(call, outcome)
    if call.ended or agent.ended:
        return "hangup" if call.ended else "bridged"
    sim.bridge(call, agent)
    while True:
        event = yield Wait(frozenset({"unbridged", "bridged"}))
        if event[0] == "unbridged":
            return "bridged"


def dial(interpreter: Interpreter, call: Call, verb: ET.Element, document: Document) -> Steps:
    """Connect the call to a number, a queue's front caller or a conference."""
    from warmline.simulator.twiml import resolve

    sim = interpreter.sim
    action = resolve(document.url, verb.get("action"))
    method = verb.get("method", "POST")
    nouns = list(verb) or [ET.Element("Number")]
    if not len(verb):
        nouns[0].text = text(verb)
    kind = nouns[0].tag
    started = sim.now()
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
            params = {"DialCallStatus": "completed", **sim.call_params(call)}
            params["CallStatus"] = "completed"
            sim.send(action, params, method)
        raise
    if action is None:
        return None
    params = {"DialCallStatus": status}
    if other is not None:
        params["DialCallSid"] = other.sid
        params["DialCallDuration"] = str(other.duration(sim.now()))
    elif status == "answered":
        params["DialCallDuration"] = str(int(sim.now() - started))
    return interpreter.go(call, action, method, params)


def _answer_on_bridge(interpreter: Interpreter, call: Call) -> None:
    if call.status == "ringing":
        interpreter.sim.answer(call)


def _numbers(
    interpreter: Interpreter,
    call: Call,
    verb: ET.Element,
    numbers: list[ET.Element],
    document: Document,
) -> Steps:
    """Ring every number at once; the first to answer (and finish its whisper) is connected."""
    from warmline.simulator.twiml import resolve

    sim = interpreter.sim
    caller_id = verb.get("callerId") or call.sender
    legs = []
    for noun in numbers:
        callback = resolve(document.url, noun.get("statusCallback"))
        events = (noun.get("statusCallbackEvent") or "completed").replace(",", " ").split()
        leg = sim.new_call(
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
        sim.call_out(leg, lambda answered: sim.post(call, "leg-answered", answered))
    deadline = sim.now() + number(verb, "timeout", DIAL_TIMEOUT_SECONDS)
    answered = None
    try:
        while answered is None:
            event = yield Wait(frozenset({"leg-answered", "leg-ended"}), deadline - sim.now())
            if event[0] == "timeout":
                for leg in legs:
                    sim.finish(leg, "no-answer")
                return "no-answer", legs[0]
            if event[0] == "leg-answered":
                answered = event[1]
            elif all(leg.ended for leg in legs):
                return event[1].status, event[1]
        for leg in legs:
            if leg is not answered:
                sim.finish(leg, "canceled")
        sim.start_task(answered, interpreter.whisper(answered, call))
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
            sim.finish(answered, "completed")
        return "completed", answered
    finally:
        for leg in legs:
            if leg.status in ("queued", "initiated", "ringing"):
                sim.finish(leg, "canceled")
            elif leg is answered and not leg.ended and call.ended:
                sim.finish(leg, "completed")


def _queue(
    interpreter: Interpreter, call: Call, verb: ET.Element, noun: ET.Element, document: Document
) -> Steps:
    """Take the caller at the front of a queue, waiting up to the timeout for one."""
    from warmline.simulator.twiml import resolve

    sim = interpreter.sim
    waiting = sim.queue_named(text(noun))
    deadline = sim.now() + number(verb, "timeout", DIAL_TIMEOUT_SECONDS)
    while not waiting.members:
        event = yield Wait(frozenset({"queue-joined"}), deadline - sim.now())
        if event[0] == "timeout":
            return "no-answer", None
    front = waiting.members[0].call
    sim.leave_queue(waiting, front)
    url = resolve(document.url, noun.get("url"))
    sim.post(front, "dequeued", call, url, noun.get("method", "POST"))
    while True:
        event = yield Wait(frozenset({"bridged", "unbridged"}))
        if event[0] == "unbridged":
            return "completed", front
        _answer_on_bridge(interpreter, call)


def _conference(interpreter: Interpreter, call: Call, verb: ET.Element, noun: ET.Element) -> Steps:
    """Stay in a conference room until it ends or the call leaves."""
    sim = interpreter.sim
    room = sim.conference_named(text(noun))
    sim.join_conference(
        room,
        call,
        starts=flag(noun, "startConferenceOnEnter", True),
        ends=flag(noun, "endConferenceOnExit"),
    )
    _answer_on_bridge(interpreter, call)
    limit = number(verb, "timeLimit", DIAL_TIME_LIMIT_SECONDS)
    deadline = sim.now() + limit
    try:
        while True:
            event = yield Wait(
                frozenset({"conference-ended", "conference-changed"}), deadline - sim.now()
            )
            if event[0] in ("conference-ended", "timeout"):
                return "answered", None
    finally:
        if call.conference is not None:
            sim.leave_conference(call)
