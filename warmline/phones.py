"""Phone numbers: parse and normalise with phonenumbers, never echo them in errors."""

from __future__ import annotations

import phonenumbers

from warmline.sentences import N_, Refused

DEFAULT_REGION = "US"
# How Twilio spells a withheld or unknown caller ID.
WITHHELD = frozenset({"anonymous", "restricted", "unknown", "private", "unavailable", "+266696687"})


def is_withheld(raw: str) -> bool:
    return raw.strip().lower() in WITHHELD or not raw.strip()


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164, or raise ValueError that does not repeat it."""
    if is_withheld(raw):
        raise Refused(N_("the phone number is missing or withheld"))
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise Refused(N_("not a phone number")) from None
    if not phonenumbers.is_valid_number(number):
        raise Refused(N_("not a valid phone number"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
