"""Live state in Redis: what Twilio has already told us, and which contact a call is.

Keys hold Twilio SIDs and our own ids, never a caller's number.
"""

from __future__ import annotations

import redis

# Twilio retries within minutes; a day covers any retry and any late status callback.
SID_TTL_SECONDS = 24 * 3600


def _seen_key(sid: str) -> str:
    return f"warmline:seen:{sid}"


def _call_key(call_sid: str) -> str:
    return f"warmline:call:{call_sid}"


def first_time_seen(client: redis.Redis, sid: str) -> bool:
    """Mark a Twilio request SID as handled; False if it was handled before."""
    return bool(client.set(_seen_key(sid), 1, nx=True, ex=SID_TTL_SECONDS))


def link_call(client: redis.Redis, call_sid: str, contact_id: int) -> None:
    client.set(_call_key(call_sid), contact_id, ex=SID_TTL_SECONDS)


def contact_for_call(client: redis.Redis, call_sid: str) -> int | None:
    value = client.get(_call_key(call_sid))
    return None if value is None else int(value)
