"""Caller tags, sealed transient data, and the log redaction filter."""

from __future__ import annotations

import logging

import pytest

from warmline.logs import configure_logging
from warmline.privacy import RedactingFilter, Sealer, SealError, caller_tag, redact

KEY = "k" * 40


@pytest.mark.parametrize(
    "spelling", ["+14155550123", "(415) 555-0123", "415.555.0123", "1 415 555 0123"]
)
def test_one_number_in_any_spelling_has_one_tag(spelling):
    assert caller_tag(spelling, KEY) == caller_tag("+14155550123", KEY)


def test_tag_is_a_keyed_hmac_not_a_plain_hash():
    tag = caller_tag("+14155550123", KEY)
    assert len(tag) == 64
    assert tag != caller_tag("+14155550123", "another-key" * 4)
    assert "4155550123" not in tag


@pytest.mark.parametrize(
    "withheld", ["anonymous", "Anonymous", "+266696687", "Restricted", "Unknown", "", "  "]
)
def test_withheld_numbers_get_no_tag(withheld):
    assert caller_tag(withheld, KEY) is None


@pytest.mark.parametrize("odd", ["client:alice", "sip:someone@example.org", "12", "+1999"])
def test_things_that_are_not_phone_numbers_get_no_tag(odd):
    assert caller_tag(odd, KEY) is None


def test_sealed_text_opens_only_with_the_key():
    sealer = Sealer([KEY])
    token = sealer.seal("I can't sleep again")
    assert b"sleep" not in token
    assert sealer.open(token) == "I can't sleep again"
    with pytest.raises(SealError):
        Sealer(["other" * 10]).open(token)


def test_tampered_seal_is_refused():
    sealer = Sealer([KEY])
    token = bytearray(sealer.seal("hello"))
    token[-5] ^= 1
    with pytest.raises(SealError):
        sealer.open(bytes(token))


def test_rotated_out_key_still_opens_what_it_sealed():
    old = Sealer([KEY]).seal("still open")
    assert Sealer(["new" * 12, KEY]).open(old) == "still open"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me at 415-555-0123", "call me at [number]"),
        (
            "From=%2B14155550123&Body=help+me&To=%2B15017122661",
            "From=[redacted]&Body=[redacted]&To=[redacted]",
        ),
        (
            "{'Body': 'pills', 'CallerName': 'Jane'}",
            "{'Body': [redacted], 'CallerName': [redacted]}",
        ),
        ("contact 1234 closed after 300 s", "contact 1234 closed after 300 s"),
        (
            "call CA0123456789abcdef0123456789abcdef ended",
            "call CA0123456789abcdef0123456789abcdef ended",
        ),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_filter_redacts_arguments_before_formatting():
    record = logging.makeLogRecord(
        {"msg": "text from %s: %s", "args": ("+14155550123", "x"), "levelno": logging.INFO}
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "text from [number]: x"


def test_gunicorn_handlers_get_the_filter_too(settings):
    gunicorn_log = logging.getLogger("gunicorn.error")
    handler = logging.StreamHandler()
    gunicorn_log.addHandler(handler)
    try:
        configure_logging(settings)
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        assert all(
            any(isinstance(f, RedactingFilter) for f in h.filters)
            for h in logging.getLogger().handlers
            if h.get_name() == "warmline"
        )
    finally:
        gunicorn_log.removeHandler(handler)
