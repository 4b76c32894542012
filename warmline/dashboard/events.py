"""Server-Sent Events: a line's live events from Redis pub/sub, passed on to one browser.

An event only says what kind of thing happened and whether it concerns this specialist;
the page then asks the API for what it may see. Nothing about a contact travels here.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import redis
from flask import Response

from warmline.live import LiveLine

# A stream ends after this long and EventSource reconnects: no request holds a thread forever.
STREAM_SECONDS = 55
# A comment line this often keeps proxies from closing an idle stream.
HEARTBEAT_SECONDS = 10
RECONNECT_MS = 2000


def _frames(client: redis.Redis, channel: str, specialist_id: int) -> Iterator[str]:
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    try:
        yield f"retry: {RECONNECT_MS}\n: connected\n\n"
        give_up = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < give_up:
            try:
                message = pubsub.get_message(timeout=HEARTBEAT_SECONDS)
            except (redis.ConnectionError, redis.TimeoutError):
                # Redis went away: end the stream; the page polls, then reconnects.
                return
            if message is None:
                yield ": still here\n\n"
                continue
            event = json.loads(message["data"])
            # Unnamed events all reach the page's one onmessage handler; the type is data.
            kind = re.sub(r"[^a-z_]", "", str(event.get("type", ""))) or "changed"
            payload = {"type": kind, "mine": event.get("specialist_id") == specialist_id}
            yield f"data: {json.dumps(payload)}\n\n"
    finally:
        pubsub.close()


def stream(client: redis.Redis, line_id: int, specialist_id: int) -> Response:
    channel = LiveLine(client, line_id).events_channel
    return Response(
        _frames(client, channel, specialist_id),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
