"""Server-Sent Events: a line's live events from Redis pub/sub, passed on to one browser.

An event only says what kind of thing happened and whether it concerns this specialist;
the page then asks the API for what it may see. Nothing about a contact travels here.

A stream holds a connection for up to a minute, so none may take capacity that Twilio's
webhooks need: the web processes run gevent workers (config/gunicorn.py), where a waiting
stream is a greenlet, not one of a few threads; each process serves at most
STREAMS_PER_PROCESS at once, a person at most STREAMS_PER_PERSON and a line at most
STREAMS_PER_LINE (counted in Redis, across every process and host). A stream refused by a cap
answers 204, and the page polls instead.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator

import redis
from flask import Response

from warmline.live import LiveLine, StreamCaps, now_ms

# A stream ends after this long and EventSource reconnects: no request holds on forever.
STREAM_SECONDS = 55
# A comment line this often keeps proxies from closing an idle stream.
HEARTBEAT_SECONDS = 10
RECONNECT_MS = 2000
# Tabs a person may stream in at once, and streams one line may hold; the rest poll.
STREAMS_PER_PERSON = 3
STREAMS_PER_LINE = 60
# At most half of a web process's connections (config/gunicorn.py) ever hold a stream.
STREAMS_PER_PROCESS = 250
CAPS = StreamCaps(
    per_person=STREAMS_PER_PERSON,
    per_line=STREAMS_PER_LINE,
    lasts_ms=(STREAM_SECONDS + 2 * HEARTBEAT_SECONDS) * 1000,
)
_process_streams = threading.BoundedSemaphore(STREAMS_PER_PROCESS)


def _frames(live: LiveLine, specialist_id: int) -> Iterator[str]:
    pubsub = live.client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(live.events_channel)
    try:
        yield f"retry: {RECONNECT_MS}\n: connected\n\n"
        give_up = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < give_up:
            try:
                # The last frame reached the browser: this dashboard is still open.
                live.saw(specialist_id, now_ms())
            except (redis.ConnectionError, redis.TimeoutError):
                return
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


class _Counted:
    """A stream's frames, counted until the server closes the response, however it ended."""

    def __init__(self, frames: Iterator[str], release: Callable[[], None]) -> None:
        self._frames = frames
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[str]:
        return self._frames

    def close(self) -> None:
        self._frames.close()
        if self._release is not None:
            self._release, release = None, self._release
            release()


def _admitted(live: LiveLine, specialist_id: int, token: str) -> bool:
    """Whether this process, this person and this line each have room for one more stream."""
    if not _process_streams.acquire(blocking=False):
        return False
    try:
        if live.open_stream(specialist_id, token, CAPS) == "ok":
            return True
    except redis.RedisError:
        # Redis is down: the page's polling reports it; no stream could follow the line anyway.
        pass
    _process_streams.release()
    return False


def stream(client: redis.Redis, line_id: int, specialist_id: int) -> Response:
    """Open a stream for a specialist on shift, or answer 204 (the page polls) when full."""
    live = LiveLine(client, line_id)
    token = secrets.token_hex(8)
    if not _admitted(live, specialist_id, token):
        return Response(status=204)

    def release() -> None:
        _process_streams.release()
        try:
            live.close_stream(specialist_id, token)
        except redis.RedisError:
            return  # it stops counting at its expiry

    frames = _frames(live, specialist_id)
    return Response(
        _Counted(frames, release),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
