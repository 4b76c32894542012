"""Redis clients from a settings URL: one server, or the primary a set of Sentinels name.

`redis://`, `rediss://` and `unix://` URLs reach one server (redis-py's own `from_url`).
`redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/service[/db]` reaches the
primary that the Sentinels at those hosts (port 26379 unless given) name for `service`; the
password is the primary's. `?sentinel_password=...` is the Sentinels' own, when they ask for
one. After a failover the client asks the Sentinels again and goes on with the new primary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection

SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379
# Sentinel promotes a replica a few seconds after the primary goes (its down-after time plus
# an election). A command retried over that long finds the new primary; a webhook still
# answers well within Twilio's 15 s.
FAILOVER_RETRIES = 8
FAILOVER_BACKOFF = ExponentialBackoff(cap=1.0, base=0.05)


@dataclass(frozen=True)
class SentinelURL:
    """What a `redis+sentinel://` URL names."""

    sentinels: tuple[tuple[str, int], ...]
    service_name: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None


class PrimaryConnection(SentinelManagedConnection):
    """A connection to the primary that asks the Sentinels where it is on every (re)connect.

    redis-py's own reconnects a dropped connection to the address it had before (redis-py
    issue 3874): a command retried through a failover would knock on the dead primary until
    its retries ran out, never reaching the promoted replica.
    """

    def _connect_retry(self) -> None:
        self.connect_check_health(check_health=self.connection_pool.check_connection)

    def connect_check_health(
        self, check_health: bool = True, retry_socket_connect: bool = True
    ) -> None:
        if self._sock:
            return
        self.host, self.port = self.connection_pool.get_master_address()
        # The command's retry tries again, asking the Sentinels again: not the same address.
        super().connect_check_health(check_health=check_health, retry_socket_connect=False)


def parse_sentinel_url(url: str) -> SentinelURL:
    """Read a `redis+sentinel://` URL; ValueError says what is wrong with one that is not."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ValueError(f"a Sentinel URL starts with {SENTINEL_SCHEME}://")
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    sentinels = tuple(_host_and_port(host) for host in hosts.split(","))
    path = [unquote(part) for part in parts.path.split("/") if part]
    if not path or len(path) > 2:
        raise ValueError(
            "a Sentinel URL names the service, and optionally the database: /service/0"
        )
    if len(path) == 2 and not path[1].isdigit():
        raise ValueError(f"the database in a Sentinel URL is a number, not {path[1]!r}")
    query = parse_qs(parts.query)
    unknown = set(query) - {"sentinel_password"}
    if unknown:
        raise ValueError(f"a Sentinel URL takes no {', '.join(sorted(unknown))} option")
    return SentinelURL(
        sentinels=sentinels,
        service_name=path[0],
        db=int(path[1]) if len(path) == 2 else 0,
        username=unquote(username) or None,
        password=unquote(password) or None,
        sentinel_password=query.get("sentinel_password", [None])[0],
    )


def _host_and_port(address: str) -> tuple[str, int]:
    try:
        parts = urlsplit(f"//{address}")
        host, port = parts.hostname, parts.port or SENTINEL_PORT
    except ValueError:
        host = None
    if not host or parts.username is not None or parts.path:
        raise ValueError(f"a Sentinel URL lists host:port pairs, not {address!r}")
    return host, port


def redis_client(url: str, **options: Any) -> redis.Redis:
    """Return a client for the Redis `url` names; `options` are redis-py connection options.

    Nothing connects until the first command.
    """
    if not url.startswith(f"{SENTINEL_SCHEME}://"):
        return redis.Redis.from_url(url, **options)
    named = parse_sentinel_url(url)
    sockets = {key: value for key, value in options.items() if key.startswith("socket_")}
    sentinel = Sentinel(
        list(named.sentinels),
        sentinel_kwargs={**sockets, "password": named.sentinel_password},
    )
    return sentinel.master_for(
        named.service_name,
        db=named.db,
        username=named.username,
        password=named.password,
        retry=Retry(FAILOVER_BACKOFF, FAILOVER_RETRIES),
        connection_class=PrimaryConnection,
        **options,
    )
