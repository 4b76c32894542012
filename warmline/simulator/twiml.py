"""Carry out TwiML on a call, verb by verb, as Twilio's documentation describes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Generator
from typing import Any

from warmline.simulator import connecting, documents, voices
from warmline.simulator.calls import Calls
from warmline.simulator.carrier import Carrier
from warmline.simulator.conferences import Conferences
from warmline.simulator.documents import Document, TwimlError, flag, number, resolve, text
from warmline.simulator.queues import Queues
from warmline.simulator.speech import DEFAULT_LANGUAGE, recognise
from warmline.simulator.state import (
    APPLICATION_ERROR,
    END,
    HANGUP,
    Call,
    CallEnded,
    LeaveQueue,
    Redirected,
    Source,
    Steps,
    Wait,
    wait_until,
)
from warmline.simulator.texts import Texts

# How long things take on the simulated line; Say and Play take time so wait loops advance.
SECONDS_PER_WORD = 0.4
PLAY_SECONDS = 10
SPEECH_CONFIDENCE = "0.92"
FOREVER = 1000
GATHER_TIMEOUT_SECONDS = 5


def speaking_seconds(words: str) -> float:
    """Return how long text-to-speech takes to say `words`."""
    return max(1.0, len(words.split()) * SECONDS_PER_WORD)


def sleep(seconds: float) -> Steps:
    """Let time pass on the call."""
    yield Wait(frozenset(), seconds)


class Interpreter:
    """Runs TwiML documents on the simulator's calls."""

    def __init__(
        self, carrier: Carrier, calls: Calls, queues: Queues, conferences: Conferences, texts: Texts
    ) -> None:
        self.carrier = carrier
        self.calls = calls
        self.queues = queues
        self.conferences = conferences
        self.texts = texts

    # -- documents --------------------------------------------------------------------------

    def program(self, call: Call, source: Source) -> Steps:
        """Run a call's TwiML from `source` until it hangs up or runs out."""
        try:
            outcome: Any = self._load(call, source)
            while isinstance(outcome, Document):
                outcome = yield from self.run(call, outcome)
        except (CallEnded, Redirected):
            return

    def _load(self, call: Call, source: Source) -> Document | None:
        if source.twiml is not None:
            try:
                return documents.parse(call.url or "", source.twiml.encode(), "text/xml")
            except TwimlError as error:
                self.carrier.webhooks.record_error(call, error.code, "Twiml")
                self.carrier.directory.hear(call, APPLICATION_ERROR)
                return None
        return self.carrier.webhooks.fetch(
            call, source.url or "", source.method, dict(source.params)
        )

    def run(self, call: Call, document: Document, *, in_queue: bool = False) -> Steps:
        """Run one document; return the next Document, END when it runs out, or HANGUP."""
        for verb in document.root:
            self._answer_if_ringing(call, verb)
            handler = getattr(self, f"_{verb.tag.lower()}", None)
            outcome = None if handler is None else handler(call, verb, document)
            if isinstance(outcome, Generator):
                outcome = yield from outcome
            if call.ended or outcome == HANGUP:
                return HANGUP
            if isinstance(outcome, Document):
                return outcome
            if outcome == "leave" and in_queue:
                raise LeaveQueue
        return END

    def _answer_if_ringing(self, call: Call, verb: ET.Element) -> None:
        if call.direction != "inbound" or call.status != "ringing":
            return
        if verb.tag == "Reject" or (verb.tag == "Dial" and flag(verb, "answerOnBridge")):
            return
        self.calls.answer(call)

    def go(self, call: Call, url: str | None, method: str, params: dict[str, str]) -> Any:
        """Fetch the next document from an action URL; an error ends the call."""
        if url is None:
            return None
        return self.carrier.webhooks.fetch(call, url, method.upper(), params) or HANGUP

    # -- simple verbs -------------------------------------------------------------------------

    def _say(self, call: Call, verb: ET.Element, document: Document) -> Steps:
        if voices.refused(self.carrier.webhooks, call, verb, document.url):
            return
        words = text(verb)
        for _ in range(self._loops(verb)):
            if words:
                self.carrier.directory.hear(call, words)
                yield from sleep(speaking_seconds(words))

    def _play(self, call: Call, verb: ET.Element, document: Document) -> Steps:
        for _ in range(self._loops(verb)):
            self.carrier.directory.phone(call.device_number).record("music", text(verb))
            yield from sleep(PLAY_SECONDS)

    def _pause(self, call: Call, verb: ET.Element, document: Document) -> Steps:
        yield from sleep(number(verb, "length", 1))

    @staticmethod
    def _loops(verb: ET.Element) -> int:
        loops = number(verb, "loop", 1)
        return FOREVER if loops <= 0 else loops

    def _hangup(self, call: Call, verb: ET.Element, document: Document) -> str:
        return HANGUP

    def _leave(self, call: Call, verb: ET.Element, document: Document) -> str:
        return "leave"

    def _reject(self, call: Call, verb: ET.Element, document: Document) -> str:
        if call.status == "ringing":
            self.calls.finish(call, "busy" if verb.get("reason") == "busy" else "no-answer")
        return HANGUP

    def _redirect(self, call: Call, verb: ET.Element, document: Document) -> Any:
        url = resolve(document.url, text(verb)) or document.url
        return self.go(call, url, verb.get("method", "POST"), {})

    def _message(self, call: Call, verb: ET.Element, document: Document) -> None:
        caller, line = (
            (call.sender, call.recipient)
            if call.direction == "inbound"
            else (call.recipient, call.sender)
        )
        self.texts.send_message(verb, document, to=caller, sender=line)

    def _enqueue(self, call: Call, verb: ET.Element, document: Document) -> Steps:
        return connecting.enqueue(self, call, verb, document)

    def _dial(self, call: Call, verb: ET.Element, document: Document) -> Steps:
        return connecting.dial(self, call, verb, document)

    # -- legs that others start -------------------------------------------------------------

    def whisper(self, leg: Call, parent: Call) -> Steps:
        """Play a dialled leg's whisper TwiML, then connect it to the call that dialled it."""
        try:
            if leg.url:
                outcome: Any = self.carrier.webhooks.fetch(leg, leg.url, leg.method)
                while isinstance(outcome, Document):
                    outcome = yield from self.run(leg, outcome)
                if outcome != END:
                    return
            if parent.ended:
                return
            self.calls.bridge(parent, leg)
            yield from wait_until("unbridged", "bridged")
        except CallEnded:
            return

    def participant(self, leg: Call, room: str, *, starts: bool, ends: bool) -> Steps:
        """Keep an answered participant leg in its conference until the conference ends."""
        try:
            self.conferences.join(self.conferences.named(room), leg, starts=starts, ends=ends)
            yield from wait_until("conference-ended", "conference-changed")
        except CallEnded:
            return
        finally:
            if leg.conference is not None:
                self.conferences.leave(leg)

    # -- Gather ---------------------------------------------------------------------------------

    def _gather(self, call: Call, verb: ET.Element, document: Document) -> Steps:
        modes = set((verb.get("input") or "dtmf").split())
        accepts = frozenset(
            ({"digits"} if "dtmf" in modes else set())
            | ({"speech"} if "speech" in modes else set())
        )
        finish_keys = verb.get("finishOnKey", "#")
        wanted = number(verb, "numDigits", 0)
        timeout = number(verb, "timeout", GATHER_TIMEOUT_SECONDS)
        language = verb.get("language") or DEFAULT_LANGUAGE
        # Without speechTimeout, Twilio ends speech input after `timeout` seconds of silence.
        speech_timeout = verb.get("speechTimeout") or str(timeout)
        collected: list[str] = []

        def take(event: tuple) -> dict[str, str] | None:
            if event[0] == "speech":
                words = recognise(event[1], language=language, speech_timeout=speech_timeout)
                return {"SpeechResult": words, "Confidence": SPEECH_CONFIDENCE} if words else None
            for key in event[1]:
                if finish_keys and key in finish_keys:
                    return {"Digits": "".join(collected)}
                collected.append(key)
                if wanted and len(collected) >= wanted:
                    return {"Digits": "".join(collected)}
            return None

        result = None
        for prompt in self._prompts(call, verb):
            event = yield Wait(accepts, prompt)
            if event[0] != "timeout":
                result = take(event)
                break
        while result is None:
            event = yield Wait(accepts, timeout)
            timed_out = event[0] == "timeout"
            result = {"Digits": "".join(collected)} if timed_out else take(event)
        if not any(result.values()) and not flag(verb, "actionOnEmptyResult"):
            return None
        action = resolve(document.url, verb.get("action")) or document.url
        return self.go(call, action, verb.get("method", "POST"), result)

    def _prompts(self, call: Call, verb: ET.Element) -> Generator[float]:
        """Play a Gather's nested verbs, yielding how long each part lasts (input cuts in)."""
        for child in verb:
            if child.tag == "Say" and voices.refused(
                self.carrier.webhooks, call, child, in_gather=True
            ):
                continue
            for _ in range(self._loops(child) if child.tag != "Pause" else 1):
                if child.tag == "Say" and text(child):
                    self.carrier.directory.hear(call, text(child))
                    yield speaking_seconds(text(child))
                elif child.tag == "Play":
                    self.carrier.directory.phone(call.device_number).record("music", text(child))
                    yield PLAY_SECONDS
                elif child.tag == "Pause":
                    yield number(child, "length", 1)
