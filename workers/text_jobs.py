"""RQ jobs for the text line: entry points RQ calls by reference, handing the installed runtime
and its ids to the domain. Their names are stored with every queued and scheduled job, so they
stay where they are across upgrades."""

from __future__ import annotations

from warmline import repairs, texts
from workers.context import current


def send_reply(contact_id: int, index: int, attempt: int) -> str | None:
    return texts.send_reply(current(), contact_id, index, attempt)


def watch_conversation(contact_id: int, due_ms: int) -> str:
    return texts.watch_conversation(current(), contact_id, due_ms)


def sweep_text_conversations() -> dict[str, int]:
    return repairs.sweep_text_conversations(current())
