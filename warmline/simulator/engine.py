"""The simulator's core: calls, texts, queues and conferences moving on one clock."""

from __future__ import annotations

import inspect
import itertools
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from warmline.simulator import documents
from warmline.simulator.clock import Clock
from warmline.simulator.documents import Document, TwimlError
from warmline.simulator.phones import Phone
from warmline.simulator.state import (
    API_VERSION,
    APPLICATION_ERROR,
    Call,
    CallEnded,
    Conference,
    Interrupt,
    Member,
    Queue,
    Text,
    Wait,
    new_sid,
)

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 15
# Twilio's phone-number lookup adds these to every request; they are a caller's details.
CALLER_PLACE = {"City": "SAN FRANCISCO", "State": "CA", "Zip": "94103", "Country": "US"}
LINE_PLACE = {"City": "LITTLE ROCK", "State": "AR", "Zip": "72201", "Country": "US"}


@dataclass
class Line:
    """A number the account owns and where Twilio sends what arrives on it."""

    number: str
    voice_url: str
    sms_url: str
    fallback_url: str
    status_callback: str


@dataclass(frozen=True)
class Source:
    """Where a call's next TwiML comes from: a URL or a literal document."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    params: tuple[tuple[str, str], ...] = ()


class Simulator:
    """A stand-in for Twilio: it owns the phones and carries their calls and texts."""

    def __init__(
        self,
        *,
        webhook_base_url: str,
        account_sid: str,
        auth_token: str,
        clock: Clock,
        http: requests.Session | None = None,
    ) -> None:
        from warmline.simulator.twiml import Interpreter

        self.webhook_base_url = webhook_base_url.rstrip("/")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.clock = clock
        self.http = http or requests.Session()
        self.lock = threading.RLock()
        self.phones: dict[str, Phone] = {}
        self.lines: dict[str, Line] = {}
        self.calls: dict[str, Call] = {}
        self.texts: dict[str, Text] = {}
        self.queues: dict[str, Queue] = {}
        self.conferences: dict[str, Conference] = {}
        self.errors: list[tuple[str, int, str]] = []
        self.interpreter = Interpreter(self)
        self._signer = RequestValidator(auth_token)
        self._events: deque[tuple[Call, tuple]] = deque()
        self._draining = False
        self._tokens = itertools.count(1)
        self._soon: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._busy = 0
        self._runner = threading.Thread(target=self._run_soon, name="simulator", daemon=True)
        self._runner.start()

    # -- phones and lines ------------------------------------------------------------------

    def phone(self, number: str) -> Phone:
        """Return the simulated phone with this number, making it on first use."""
        with self.lock:
            if number not in self.phones:
                self.phones[number] = Phone(self, number)
            return self.phones[number]

    def line(self, number: str) -> Line:
        """Return the account's number `number`, pointed at the warmline app's webhooks."""
        with self.lock:
            if number not in self.lines:
                base = self.webhook_base_url
                self.lines[number] = Line(
                    number=number,
                    voice_url=f"{base}/webhooks/voice/incoming",
                    sms_url=f"{base}/webhooks/sms/incoming",
                    fallback_url=f"{base}/webhooks/fallback",
                    status_callback=f"{base}/webhooks/voice/status",
                )
            return self.lines[number]

    def now(self) -> float:
        return self.clock.now()

    # -- running work ---------------------------------------------------------------------

    def soon(self, work: Callable[[], None]) -> None:
        """Run `work` shortly, after the current request has been answered."""
        with self.lock:
            self._busy += 1
        self._soon.put(work)

    def idle(self) -> bool:
        """Return whether nothing handed to `soon` is still waiting to run."""
        with self.lock:
            return self._busy == 0

    def close(self) -> None:
        """Stop the background runner."""
        self._soon.put(None)
        self._runner.join(timeout=10)

    def _run_soon(self) -> None:
        while (work := self._soon.get()) is not None:
            try:
                with self.lock:
                    work()
                    self.drain()
            except Exception:
                log.exception("simulator work failed")
            finally:
                with self.lock:
                    self._busy -= 1

    def post(self, call: Call, *event: Any) -> None:
        """Queue an event for a call's TwiML; `drain` delivers it."""
        self._events.append((call, event))

    def drain(self) -> None:
        """Deliver queued events until none are left; safe to call from inside a delivery."""
        if self._draining:
            return
        self._draining = True
        try:
            while self._events:
                call, event = self._events.popleft()
                self._deliver(call, event)
        finally:
            self._draining = False

    def start_program(self, call: Call, source: Source) -> None:
        """Run TwiML on a call from `source`, replacing whatever it was running."""
        self._stop_task(call)
        call.task = self.interpreter.program(call, source)
        call.waiting = Wait(frozenset({"start"}))
        self.post(call, "start")

    def start_task(self, call: Call, task) -> None:
        self._stop_task(call)
        call.task = task
        call.waiting = Wait(frozenset({"start"}))
        self.post(call, "start")

    def _stop_task(self, call: Call) -> None:
        if call.waiting and call.waiting.timer:
            call.waiting.timer.cancel()
        task, call.task, call.waiting = call.task, None, None
        call.interrupts = frozenset()
        if task is not None:
            task.close()

    def _deliver(self, call: Call, event: tuple) -> None:
        kind = event[0]
        if kind == "hangup":
            self._end_task(call)
            self.finish(call, event[1])
            return
        if kind == "redirect":
            if not call.ended:
                self.start_program(call, event[1])
            return
        wait = call.waiting
        if call.task is None or wait is None:
            return
        interrupting = kind in call.interrupts and kind not in wait.accepts
        if kind == "timeout":
            if event[1] != wait.token:
                return
        elif kind not in wait.accepts and not interrupting:
            return
        if wait.timer:
            wait.timer.cancel()
        call.waiting = None
        try:
            if kind == "start":
                step = next(call.task)
            elif interrupting:
                step = call.task.throw(Interrupt(event))
            else:
                step = call.task.send(event)
        except StopIteration:
            call.task = None
            if not call.ended:
                self.finish(call, "completed")
            return
        self._wait(call, step)

    def _end_task(self, call: Call) -> None:
        if call.waiting and call.waiting.timer:
            call.waiting.timer.cancel()
        task, call.task, call.waiting = call.task, None, None
        # A call's own TwiML may end it (<Reject>); it then runs out by itself.
        if task is None or inspect.getgeneratorstate(task) == inspect.GEN_RUNNING:
            return
        try:
            task.throw(CallEnded())
        except (CallEnded, StopIteration):
            return
        task.close()

    def _wait(self, call: Call, wait: Wait) -> None:
        wait.token = next(self._tokens)
        call.waiting = wait
        if wait.seconds is not None:
            token = wait.token
            wait.timer = self.clock.call_later(wait.seconds, lambda: self._timeout(call, token))

    def _timeout(self, call: Call, token: int) -> None:
        with self.lock:
            self.post(call, "timeout", token)
            self.drain()

    def later(self, seconds: float, work: Callable[[], None]):
        """Run `work` under the lock after `seconds` on the simulator's clock."""

        def run() -> None:
            with self.lock:
                work()
                self.drain()

        return self.clock.call_later(seconds, run)

    # -- webhooks ---------------------------------------------------------------------------

    def send(
        self, url: str, params: dict[str, str], method: str = "POST"
    ) -> requests.Response | None:
        """Send a signed request as Twilio does; return None when it could not be delivered."""
        method = method.upper()
        if method == "GET":
            separator = "&" if "?" in url else "?"
            url = f"{url}{separator}{urlencode(params)}" if params else url
            signature = self._signer.compute_signature(url, {})
            data = None
        else:
            signature = self._signer.compute_signature(url, params)
            data = params
        headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
        try:
            return self.http.request(
                method, url, data=data, headers=headers, timeout=WEBHOOK_TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            log.warning("simulator could not reach %s: %s", url, type(error).__name__)
            return None

    def fetch(
        self,
        call: Call,
        url: str,
        method: str = "POST",
        extra: dict[str, str] | None = None,
    ) -> Document | None:
        """Fetch TwiML for a call; on failure try the fallback URL, then play the error."""
        params = {**self.call_params(call), **(extra or {})}
        try:
            return self._fetch_document(url, method, params)
        except TwimlError as error:
            self._record_error(call, error, url)
            if call.fallback_url and url != call.fallback_url:
                fallback = {**params, "ErrorCode": str(error.code), "ErrorUrl": url}
                try:
                    return self._fetch_document(call.fallback_url, "POST", fallback)
                except TwimlError as second:
                    self._record_error(call, second, call.fallback_url)
            self.hear(call, APPLICATION_ERROR)
            return None

    def _fetch_document(
        self, url: str, method: str, params: dict[str, str], *, messaging: bool = False
    ) -> Document:
        response = self.send(url, params, method)
        if response is None:
            raise TwimlError(11205, "HTTP connection failure")
        if not 200 <= response.status_code < 300:
            raise TwimlError(11200, f"HTTP retrieval failure: status {response.status_code}")
        return documents.parse(
            url, response.content, response.headers.get("Content-Type", ""), messaging=messaging
        )

    def _record_error(self, call: Call, error: TwimlError, url: str) -> None:
        log.warning("simulator: call %s got error %s from %s", call.sid, error.code, url)
        call.errors.append((error.code, url))
        self.errors.append((call.sid, error.code, url))

    def call_params(self, call: Call) -> dict[str, str]:
        """Return the parameters Twilio sends with every request about a call."""
        caller, called = (
            (CALLER_PLACE, LINE_PLACE)
            if call.direction == "inbound"
            else (LINE_PLACE, CALLER_PLACE)
        )
        params = {
            "CallSid": call.sid,
            "AccountSid": call.account_sid,
            "From": call.sender,
            "To": call.recipient,
            "Caller": call.sender,
            "Called": call.recipient,
            "CallStatus": call.status,
            "Direction": call.direction,
            "ApiVersion": API_VERSION,
        }
        for name, value in caller.items():
            params[f"From{name}"] = params[f"Caller{name}"] = value
        for name, value in called.items():
            params[f"To{name}"] = params[f"Called{name}"] = value
        if call.parent_sid:
            params["ParentCallSid"] = call.parent_sid
        return params

    def status_callback(self, call: Call, event: str) -> None:
        """Tell the status callback URL about a call-progress event it asked for."""
        if not call.status_callback or event not in call.status_callback_events:
            return
        params = self.call_params(call)
        params.update(
            {
                "CallbackSource": "call-progress-events",
                "SequenceNumber": str(call.sequence),
                "Timestamp": formatdate(usegmt=True),
            }
        )
        if call.ended:
            duration = call.duration(self.now())
            params["CallDuration"] = str(duration)
            params["Duration"] = str((duration + 59) // 60)
        call.sequence += 1
        self.send(call.status_callback, params, "POST")

    # -- what phones hear ------------------------------------------------------------------

    def hear(self, call: Call, words: str) -> None:
        """Let the phone at the far end of `call` hear spoken words."""
        call.heard.append(words)
        self.phone(call.device_number).record("heard", words)

    def connected_numbers(self, call: Call) -> list[str]:
        """Return the numbers of the phones this call can talk with."""
        if call.ended:
            return []
        if call.bridged_to is not None:
            return [call.bridged_to.device_number]
        if call.conference is not None:
            room = self.conferences[call.conference]
            return [
                other.device_number
                for other in room.participants
                if other is not call and room.status == "in-progress"
            ]
        return []

    # -- call lifecycle --------------------------------------------------------------------

    def new_call(self, **fields: Any) -> Call:
        call = Call(
            sid=new_sid("CA"), account_sid=self.account_sid, created_at=self.now(), **fields
        )
        self.calls[call.sid] = call
        self.phone(call.device_number).calls.append(call)
        return call

    def call_in(self, phone: Phone, to: str) -> Call:
        """Start a call from a simulated phone to one of the account's numbers."""
        line = self.line(to)
        call = self.new_call(
            sender=phone.number,
            recipient=to,
            direction="inbound",
            status="ringing",
            url=line.voice_url,
            fallback_url=line.fallback_url,
            status_callback=line.status_callback,
        )
        self.start_program(call, Source(url=line.voice_url))
        return call

    def call_out(self, call: Call, on_answer: Callable[[Call], None]) -> None:
        """Dial an outgoing leg: initiated, then ringing at the phone."""
        call.on_answer = on_answer
        call.status = "initiated"
        self.status_callback(call, "initiated")
        if call.ended:
            return
        call.status = "ringing"
        self.status_callback(call, "ringing")
        self.phone(call.recipient).ring(call)

    def answer(self, call: Call) -> None:
        """Mark a call answered and let whoever waits on it know."""
        if call.status not in ("queued", "initiated", "ringing"):
            return
        if call.ring_timer:
            call.ring_timer.cancel()
        call.status = "in-progress"
        call.answered_at = self.now()
        self.status_callback(call, "answered")
        if call.on_answer is not None:
            call.on_answer(call)

    def hang_up(self, call: Call, status: str = "completed") -> None:
        """End a call from outside its TwiML: a phone hung up, or the REST API said so."""
        if not call.ended:
            self.post(call, "hangup", status)

    def finish(self, call: Call, status: str) -> None:
        """Record the end of a call and tell everyone tied to it."""
        if call.ended:
            return
        self._end_task(call)
        if call.ring_timer:
            call.ring_timer.cancel()
        call.status = status
        call.ended_at = self.now()
        other, call.bridged_to = call.bridged_to, None
        if other is not None:
            other.bridged_to = None
            self.post(other, "unbridged", call)
        if call.conference is not None:
            self.leave_conference(call)
        for waiting in self.queues.values():
            waiting.members = [member for member in waiting.members if member.call is not call]
        if call.parent_sid:
            parent = self.calls[call.parent_sid]
            self.post(parent, "leg-ended", call)
        self.status_callback(call, "completed")

    def bridge(self, one: Call, other: Call) -> None:
        """Connect two calls so their phones talk to each other."""
        one.bridged_to, other.bridged_to = other, one
        self.post(one, "bridged", other)
        self.post(other, "bridged", one)

    def unbridge(self, call: Call) -> None:
        other, call.bridged_to = call.bridged_to, None
        if other is not None:
            other.bridged_to = None
            self.post(other, "unbridged", call)

    # -- queues ----------------------------------------------------------------------------

    def queue_named(self, name: str) -> Queue:
        for waiting in self.queues.values():
            if waiting.name == name:
                return waiting
        created = Queue(sid=new_sid("QU"), name=name, created_at=self.now())
        self.queues[created.sid] = created
        return created

    def find_queue(self, sid_or_name: str) -> Queue | None:
        if sid_or_name in self.queues:
            return self.queues[sid_or_name]
        return next((q for q in self.queues.values() if q.name == sid_or_name), None)

    def join_queue(self, waiting: Queue, call: Call) -> None:
        waiting.members.append(Member(call, self.now()))
        for other in self.calls.values():
            if other.waiting and "queue-joined" in other.waiting.accepts:
                self.post(other, "queue-joined", waiting.name)

    def leave_queue(self, waiting: Queue, call: Call) -> None:
        for member in list(waiting.members):
            if member.call is call:
                waiting.members.remove(member)
                waiting.served_waits.append(self.now() - member.enqueued_at)

    def queue_stats(self, waiting: Queue, call: Call) -> dict[str, str]:
        member = next((m for m in waiting.members if m.call is call), None)
        waited = int(self.now() - member.enqueued_at) if member else 0
        return {
            "QueueSid": waiting.sid,
            "QueuePosition": str(waiting.position(call)),
            "QueueTime": str(waited),
            "AvgQueueTime": str(waiting.average_wait(self.now())),
            "CurrentQueueSize": str(len(waiting.members)),
            "MaxQueueSize": str(waiting.max_size),
        }

    # -- conferences -----------------------------------------------------------------------

    def conference_named(self, name: str) -> Conference:
        for room in self.conferences.values():
            if room.name == name and room.status != "completed":
                return room
        room = Conference(sid=new_sid("CF"), name=name, created_at=self.now())
        self.conferences[room.sid] = room
        return room

    def join_conference(self, room: Conference, call: Call, *, starts: bool, ends: bool) -> None:
        call.conference = room.sid
        call.ends_conference = ends
        room.participants.append(call)
        if starts and room.status == "init":
            room.status = "in-progress"
        self._announce(room)

    def leave_conference(self, call: Call) -> None:
        room = self.conferences[call.conference] if call.conference else None
        call.conference = None
        if room is None or call not in room.participants:
            return
        room.participants.remove(call)
        if call.ends_conference or not room.participants:
            room.status = "completed"
            for other in list(room.participants):
                other.conference = None
                self.post(other, "conference-ended", room.sid)
            room.participants.clear()
        else:
            self._announce(room)

    def _announce(self, room: Conference) -> None:
        for call in room.participants:
            self.post(call, "conference-changed", room.sid)

    # -- texts -----------------------------------------------------------------------------

    def text_in(self, phone: Phone, to: str, body: str) -> Text:
        """Deliver a text from a simulated phone to the account's number and act on the reply."""
        line = self.line(to)
        text = Text(new_sid("SM"), phone.number, to, body, self.now(), status="received")
        self.texts[text.sid] = text
        phone.add_text(text)
        params = {
            "MessageSid": text.sid,
            "SmsSid": text.sid,
            "SmsMessageSid": text.sid,
            "AccountSid": self.account_sid,
            "From": phone.number,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": str(segments(body)),
            "SmsStatus": "received",
            "ApiVersion": API_VERSION,
        }
        for name, value in CALLER_PLACE.items():
            params[f"From{name}"] = value
        for name, value in LINE_PLACE.items():
            params[f"To{name}"] = value
        document = self._fetch_text_reply(text, line, params)
        if document is not None:
            self.interpreter.reply_to_text(document, text)
        return text

    def _fetch_text_reply(self, text: Text, line: Line, params: dict[str, str]) -> Document | None:
        try:
            return self._fetch_document(line.sms_url, "POST", params, messaging=True)
        except TwimlError as error:
            self.errors.append((text.sid, error.code, line.sms_url))
        fallback = {**params, "ErrorCode": str(self.errors[-1][1]), "ErrorUrl": line.sms_url}
        try:
            return self._fetch_document(line.fallback_url, "POST", fallback, messaging=True)
        except TwimlError as error:
            self.errors.append((text.sid, error.code, line.fallback_url))
            return None

    def text_out(
        self, *, sender: str, recipient: str, body: str, status_callback: str | None
    ) -> Text:
        """Send a text from the account to a simulated phone, reporting delivery as asked."""
        text = Text(new_sid("SM"), sender, recipient, body, self.now())
        self.texts[text.sid] = text

        def deliver() -> None:
            for status in ("sent", "delivered"):
                text.status = status
                if status == "delivered":
                    self.phone(recipient).add_text(text)
                if status_callback:
                    self.send(status_callback, self._text_status_params(text), "POST")

        self.soon(deliver)
        return text

    def _text_status_params(self, text: Text) -> dict[str, str]:
        return {
            "MessageSid": text.sid,
            "SmsSid": text.sid,
            "MessageStatus": text.status,
            "SmsStatus": text.status,
            "AccountSid": self.account_sid,
            "From": text.sender,
            "To": text.recipient,
            "ApiVersion": API_VERSION,
        }


def segments(body: str) -> int:
    """Return how many SMS segments a body needs (GSM-7 when it fits, else UCS-2)."""
    gsm = all(ord(char) < 128 for char in body)
    single, multi = (160, 153) if gsm else (70, 67)
    if len(body) <= single:
        return 1
    return -(-len(body) // multi)
