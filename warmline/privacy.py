"""Privacy primitives: caller tags, sealed transient data, and log redaction."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import traceback
from collections.abc import Iterable

import redis
import sqlalchemy.exc
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from warmline.phones import is_withheld, to_e164


def caller_tag(raw_number: str, key: str) -> str | None:
    """Return HMAC-SHA256(key, E.164 number) as hex; None when withheld or not a number."""
    if is_withheld(raw_number):
        return None
    try:
        number = to_e164(raw_number)
    except ValueError:
        return None
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


class SealError(ValueError):
    """Sealed data was tampered with, or sealed under a key no longer held."""


class Sealer:
    """Authenticated encryption (Fernet: AES-CBC + HMAC) for data that lives only while a
    conversation is open. Keys are derived from the app's secret keys; the first one
    seals, every one opens, so a rotated-out key still opens what it sealed."""

    def __init__(self, secret_keys: Iterable[str]) -> None:
        fernets = [Fernet(_derive_fernet_key(secret)) for secret in secret_keys]
        if not fernets:
            raise ValueError("a Sealer needs at least one secret key")
        self._fernet = MultiFernet(fernets)

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise SealError("sealed data could not be opened") from None


def _derive_fernet_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"warmline transient v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


REDACTED_NUMBER = "[number]"
REDACTED_TEXT = "[redacted]"
# Seven or more digits, optionally led by + and split by spaces, dots, dashes or brackets:
# local, national and international numbers alike, and long digit runs such as card numbers.
PHONE_LIKE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s.\-()]{0,2}\d){6,}(?![\w])")
# Twilio parameters that carry a person's number, name, place or words.
SENSITIVE_FIELDS = frozenset(
    {
        "from",
        "to",
        "caller",
        "called",
        "callername",
        "body",
        "speechresult",
        "unstablespeechresult",
        "transcriptiontext",
        "forwardedfrom",
        "fromcity",
        "fromstate",
        "fromzip",
        "fromcountry",
        "callercity",
        "callerstate",
        "callerzip",
        "callercountry",
        "tocity",
        "tostate",
        "tozip",
        "calledcity",
        "calledstate",
        "calledzip",
        "digits",
        "message",
        "text",
    }
)
_FIELD_IN_TEXT = re.compile(
    r"(?P<name>\b(?:" + "|".join(sorted(SENSITIVE_FIELDS - {"message", "text"})) + r"))"
    r"(?P<sep>(?:['\"]\s*[,:=]|\s*[=:])\s*)(?P<value>'[^']*'|\"[^\"]*\"|[^&}\n]*)",
    re.IGNORECASE,
)
DETAILS_WITHHELD = "[details withheld]"
# Errors raised by connections, whose messages name hosts and causes rather than people.
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    redis.RedisError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)
_STANDARD_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Blank out Twilio's personal fields and anything shaped like a phone number."""
    text = _FIELD_IN_TEXT.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED_TEXT}", text)
    return PHONE_LIKE.sub(REDACTED_NUMBER, text)


def format_exception_privately(error: BaseException) -> str:
    """Format a traceback, chain included, keeping only infrastructure errors' messages.

    An exception's message can quote whatever the code was handling, such as a text's
    words; the frames and the exception's type are what a developer needs.
    """
    sections: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        message = str(current) if isinstance(current, INFRASTRUCTURE_ERRORS) else DETAILS_WITHHELD
        sections.append(
            "Traceback (most recent call last):\n"
            + "".join(traceback.format_tb(current.__traceback__))
            + f"{kind.__module__}.{kind.__qualname__}: {message}\n"
        )
        current = current.__cause__ or current.__context__
    return "\nThe above was raised while handling:\n".join(sections).rstrip("\n")


class RedactingFilter(logging.Filter):
    """Rewrite every record before any handler formats it, so no sink sees a number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(format_exception_privately(record.exc_info[1]))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name in _STANDARD_RECORD_ATTRIBUTES:
                continue
            if name.lower() in SENSITIVE_FIELDS:
                setattr(record, name, REDACTED_TEXT)
            elif isinstance(value, str):
                setattr(record, name, redact(value))
            elif value is not None and not isinstance(value, int | float | bool):
                setattr(record, name, redact(repr(value)))
        return True


def install_redaction(loggers: Iterable[logging.Logger] = ()) -> None:
    """Put one RedactingFilter on every handler of the root and the given loggers."""
    for logger in (logging.getLogger(), *loggers):
        for handler in logger.handlers:
            if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
                handler.addFilter(RedactingFilter())
