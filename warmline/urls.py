"""The webhook URLs Twilio is sent to: paths for TwiML, absolute URLs for REST calls."""

from __future__ import annotations

from urllib.parse import urlencode

VOICE = "/webhooks/voice"
FALLBACK = "/webhooks/fallback"
VOICE_STATUS = "/webhooks/voice/status"
SMS_STATUS = "/webhooks/sms/status"


def _path(route: str, **query: int | str) -> str:
    return f"{VOICE}/{route}" + (f"?{urlencode(query)}" if query else "")


def language(contact: int) -> str:
    return _path("language", contact=contact)


def crisis(contact: int) -> str:
    return _path("crisis", contact=contact)


def wait(line: int, contact: int) -> str:
    return _path("wait", line=line, contact=contact)


def wait_key(line: int, contact: int) -> str:
    return _path("wait/key", line=line, contact=contact)


def queue_exit(contact: int) -> str:
    return _path("queue/exit", contact=contact)


def overflow(contact: int) -> str:
    return _path("overflow", contact=contact)


def connect(contact: int) -> str:
    return _path("connect", contact=contact)


def after(contact: int) -> str:
    return _path("after", contact=contact)


def goodbye(contact: int) -> str:
    return _path("goodbye", contact=contact)


def survey(contact: int, question: str, attempt: int) -> str:
    return _path("survey", contact=contact, question=question, attempt=attempt)


def offer_whisper(contact: int, specialist: int) -> str:
    return _path("offer/whisper", contact=contact, specialist=specialist)


def offer_answer(contact: int, specialist: int) -> str:
    return _path("offer/answer", contact=contact, specialist=specialist)


def offer_status(contact: int, specialist: int) -> str:
    return _path("offer/status", contact=contact, specialist=specialist)


def callback(contact: int) -> str:
    return _path("callback", contact=contact)


def callback_unreached(contact: int) -> str:
    return _path("callback/unreached", contact=contact)


def caller_gone(contact: int, why: str) -> str:
    return _path("offer/caller-gone", contact=contact, why=why)


def crisis_leg_status(contact: int) -> str:
    return _path("crisis-leg/status", contact=contact)


def supervisor_leg_status(contact: int) -> str:
    return _path("supervisor-leg/status", contact=contact)


def text_status(line: int, contact: int) -> str:
    """Return where Twilio reports a sent text's delivery, naming our ids only."""
    return f"{SMS_STATUS}?{urlencode({'line': line, 'contact': contact})}"
