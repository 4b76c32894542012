"""RQ jobs for calls and housekeeping: entry points RQ calls by reference, each handing the
installed runtime and its ids to the domain function that does the work."""

from __future__ import annotations

from warmline import callbacks, offers, repairs, supervision
from workers.context import current


def offer_contacts(line_id: int) -> int:
    return offers.offer_contacts(current(), line_id)


def connect_caller(contact_id: int) -> None:
    return offers.connect_caller(current(), contact_id)


def bring_specialist(contact_id: int, specialist_id: int) -> None:
    return offers.bring_specialist(current(), contact_id, specialist_id)


def add_crisis_counselor(contact_id: int) -> None:
    return offers.add_crisis_counselor(current(), contact_id)


def supervise_call(contact_id: int) -> None:
    return supervision.supervise_call(current(), contact_id)


def hang_up(call_sids: list[str]) -> None:
    return offers.hang_up(current(), call_sids)


def say_goodbye(contact_id: int) -> None:
    return offers.say_goodbye(current(), contact_id)


def retry_callback(contact_id: int) -> None:
    return callbacks.retry_callback(current(), contact_id)


def tell_specialist(contact_id: int, call_sid: str, why: str) -> None:
    return offers.tell_specialist(current(), contact_id, call_sid, why)


def repair_live_state() -> dict[str, int]:
    return repairs.repair_live_state(current())


def warn_of_crisis_waiting() -> dict[str, int]:
    return repairs.warn_of_crisis_waiting(current())


def end_absent_shifts() -> dict[str, int]:
    return repairs.end_absent_shifts(current())


def extend_rosters() -> dict[str, int]:
    return repairs.extend_rosters(current())


def purge_expired_contacts() -> dict[str, int]:
    return repairs.purge_expired_contacts(current())
