"""Text messages: what the line does with an incoming text."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from sqlalchemy.orm import Session

from warmline.lines import LineContext, context, find_line
from warmline.live import first_time_seen


@dataclass(frozen=True)
class TextReception:
    line: LineContext | None
    duplicate: bool


def receive_text(
    session: Session, client: redis.Redis, *, message_sid: str, line_number: str
) -> TextReception:
    """Note an arriving text once; a retried webhook is answered with silence."""
    line = find_line(session, line_number)
    duplicate = not first_time_seen(client, message_sid)
    return TextReception(line=context(line) if line else None, duplicate=duplicate)
