"""Failed sign-in limits: 5 per 15 minutes per account and per client address.

Counters live in Redis under keyed hashes of the email and the address, so neither an
email nor an IP address (both identifying) is ever written into a key.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

import redis
from flask_babel import ngettext

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class Lockout:
    """Whether sign-in is refused for now, and for how many more seconds."""

    locked: bool
    retry_after_seconds: int = 0

    @property
    def wait_message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after_seconds / 60))
        return ngettext(
            "Too many failed sign-ins. Please wait %(num)s minute and try again.",
            "Too many failed sign-ins. Please wait %(num)s minutes and try again.",
            minutes,
        )


class SignInAttempts:
    """Count failed sign-ins per account and per client address in fixed windows."""

    def __init__(self, client: redis.Redis, secret_key: str) -> None:
        self.client = client
        self.secret = secret_key.encode()

    def _key(self, kind: str, value: str) -> str:
        digest = hmac.new(self.secret, value.strip().lower().encode(), hashlib.sha256)
        return f"warmline:signin:{kind}:{digest.hexdigest()}"

    def _keys(self, email: str, address: str) -> list[str]:
        return [self._key("account", email), self._key("address", address)]

    def lockout(self, email: str, address: str) -> Lockout:
        """Return whether either the account or the address has used up its failures."""
        waits = []
        for key in self._keys(email, address):
            failures, ttl = self.client.pipeline().get(key).ttl(key).execute()
            if failures is not None and int(failures) >= MAX_FAILURES:
                waits.append(ttl if ttl > 0 else WINDOW_SECONDS)
        return Lockout(locked=bool(waits), retry_after_seconds=max(waits, default=0))

    def failed(self, email: str, address: str) -> None:
        """Count a failure; the window starts with the first failure and is not extended."""
        with self.client.pipeline() as pipe:
            for key in self._keys(email, address):
                # SET NX starts the window; INCR keeps the key's expiry (works on Redis 6).
                pipe.set(key, 0, nx=True, ex=WINDOW_SECONDS)
                pipe.incr(key)
            pipe.execute()

    def succeeded(self, email: str) -> None:
        """Forget the account's failures; the address keeps its count for its window."""
        self.client.delete(self._key("account", email))
