"""Twilio's form parameters, checked and parsed into frozen dataclasses.

A caller's number is turned into a caller tag here and goes no further.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from warmline.phones import to_e164
from warmline.privacy import Sealer, caller_tag
from warmline.texts import IncomingText, Keyword

CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")
MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-f]{32}$")
CALL_STATUSES = frozenset(
    {"queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed",
     "no-answer", "canceled"}
)  # fmt: skip
MESSAGE_STATUSES = frozenset(
    {"accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed",
     "receiving", "received", "read", "canceled", "partially_delivered"}
)  # fmt: skip
# What machine detection says when a voicemail box or a fax took a call (AnsweredBy).
MACHINES = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)
MAX_BODY = 1600
MAX_FIELD = 256


class InvalidWebhook(BadRequest):
    """A Twilio parameter is missing, repeated, malformed or too long."""


@dataclass(frozen=True)
class IncomingCall:
    call_sid: str
    line_number: str
    caller_tag: str | None


@dataclass(frozen=True)
class CallStatus:
    call_sid: str
    status: str


@dataclass(frozen=True)
class Heard:
    """What a caller pressed or said at a menu."""

    digits: str
    speech: str


@dataclass(frozen=True)
class QueueWait:
    queue_time: int
    average_queue_time: int
    position: int | None


def _one(form: MultiDict, name: str, *, required: bool = True, limit: int = MAX_FIELD) -> str:
    values = form.getlist(name)
    if len(values) > 1:
        raise InvalidWebhook(f"{name} was sent more than once")
    value = values[0] if values else ""
    if required and not value:
        raise InvalidWebhook(f"{name} is missing")
    if len(value) > limit:
        raise InvalidWebhook(f"{name} is longer than {limit} characters")
    return value


def _matching(form: MultiDict, name: str, pattern: re.Pattern[str]) -> str:
    value = _one(form, name)
    if not pattern.match(value):
        raise InvalidWebhook(f"{name} is not a Twilio SID")
    return value


def _member(form: MultiDict, name: str, allowed: frozenset[str]) -> str:
    value = _one(form, name)
    if value not in allowed:
        raise InvalidWebhook(f"{name} is not a status Twilio sends")
    return value


def incoming_call(form: MultiDict, caller_key: str) -> IncomingCall:
    return IncomingCall(
        call_sid=_matching(form, "CallSid", CALL_SID),
        line_number=_one(form, "To"),
        caller_tag=caller_tag(_one(form, "From", required=False), caller_key),
    )


def caller_number(form: MultiDict) -> str:
    """Return the number a caller is calling from, as Twilio sent it (to seal, never to keep)."""
    return _one(form, "From", required=False, limit=64)


def call_status(form: MultiDict) -> CallStatus:
    return CallStatus(
        call_sid=_matching(form, "CallSid", CALL_SID),
        status=_member(form, "CallStatus", CALL_STATUSES),
    )


def heard(form: MultiDict) -> Heard:
    digits = _one(form, "Digits", required=False, limit=32)
    if digits and not re.fullmatch(r"[0-9*#w]+", digits):
        raise InvalidWebhook("Digits holds something other than keypad keys")
    return Heard(digits=digits, speech=_one(form, "SpeechResult", required=False, limit=MAX_BODY))


def answered_by_machine(form: MultiDict) -> bool:
    """Whether machine detection found a voicemail box or a fax on a call we placed.

    A person, `unknown`, or no detection at all are all taken for a person: Twilio's detection
    leans that way too (https://www.twilio.com/docs/voice/answering-machine-detection).
    """
    return _one(form, "AnsweredBy", required=False, limit=32) in MACHINES


def _count(form: MultiDict, name: str) -> int | None:
    value = _one(form, name, required=False, limit=10)
    if not value:
        return None
    if not value.isdigit():
        raise InvalidWebhook(f"{name} is not a whole number")
    return int(value)


def queue_wait(form: MultiDict) -> QueueWait:
    return QueueWait(
        queue_time=_count(form, "QueueTime") or 0,
        average_queue_time=_count(form, "AvgQueueTime") or 0,
        position=_count(form, "QueuePosition"),
    )


def queue_result(form: MultiDict) -> str:
    """Return Twilio's QueueResult; one we don't know is handled like an error."""
    return _one(form, "QueueResult", required=False, limit=32) or "error"


def query_id(args: MultiDict, name: str) -> int:
    """Return a positive id from our own query string (part of the signed URL)."""
    value = _one(args, name, limit=12)
    if not value.isdigit() or int(value) == 0:
        raise InvalidWebhook(f"{name} is not an id")
    return int(value)


def query_choice(args: MultiDict, name: str, choices: Collection[str]) -> str:
    """Return one of `choices` from our own query string (part of the signed URL)."""
    value = _one(args, name, limit=32)
    if value not in choices:
        raise InvalidWebhook(f"{name} is not one we ask")
    return value


@dataclass(frozen=True)
class TextDelivery:
    """A status callback for a text we sent; line and contact come from our own signed URL."""

    message_sid: str
    status: str
    error_code: int | None
    line_id: int | None
    contact_id: int | None


def text_arrival(form: MultiDict, caller_key: str, sealer: Sealer) -> IncomingText:
    raw_number = _one(form, "From", required=False)
    tag = caller_tag(raw_number, caller_key)
    return IncomingText(
        message_sid=_matching(form, "MessageSid", MESSAGE_SID),
        line_number=_one(form, "To"),
        caller_tag=tag,
        sealed_number=sealer.seal(to_e164(raw_number)) if tag else None,
        body=_one(form, "Body", required=False, limit=MAX_BODY),
        pictures=_count(form, "NumMedia") or 0,
        opt_out_type=_opt_out_type(form),
    )


def _opt_out_type(form: MultiDict) -> Keyword | None:
    """Return Twilio's OptOutType (STOP, START or HELP); a value it may add later is no keyword."""
    value = _one(form, "OptOutType", required=False, limit=32).upper()
    return Keyword(value) if value in Keyword.__members__ else None


def text_delivery(form: MultiDict, args: MultiDict) -> TextDelivery:
    ours = "line" in args or "contact" in args
    return TextDelivery(
        message_sid=_matching(form, "MessageSid", MESSAGE_SID),
        status=_member(form, "MessageStatus", MESSAGE_STATUSES),
        error_code=_count(form, "ErrorCode"),
        line_id=query_id(args, "line") if ours else None,
        contact_id=query_id(args, "contact") if ours else None,
    )
