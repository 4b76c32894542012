"""Small builders for the people and lines tests need."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from warmline.lines import add_line
from warmline.models import Line

LINE_NUMBER = "+15017122661"
OVERFLOW_NUMBER = "+15017120000"


def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def message_sid() -> str:
    return "SM" + secrets.token_hex(16)


def make_line(session: Session, **fields) -> Line:
    fields.setdefault("name", "Riverside Warm Line")
    fields.setdefault("twilio_number", LINE_NUMBER)
    line = add_line(session, **fields)
    session.commit()
    return line
