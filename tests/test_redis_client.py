"""Redis clients from WARMLINE_REDIS_URL: one server, or the primary Redis Sentinel names.

The failover itself, on real servers, is tests/e2e/test_sentinel.py.
"""

from __future__ import annotations

import threading
import time

import pytest
import redis
from redis.sentinel import SentinelConnectionPool

from tests.e2e.stack import SentinelRedis
from tests.services import wait_for
from warmline.redis_client import (
    SENTINEL_PORT,
    PrimaryConnection,
    SentinelURL,
    parse_sentinel_url,
    redis_client,
)

# A failover takes Sentinel's down-after time plus an election: about 2 s at 1000 ms.
FAILOVER_DEADLINE_SECONDS = 8


def test_a_sentinel_url_names_the_sentinels_the_service_the_database_and_the_passwords():
    url = "redis+sentinel://:pri%40mary@10.0.0.1:26380,10.0.0.2,[::1]:5000/warmline/2?sentinel_password=s3"
    assert parse_sentinel_url(url) == SentinelURL(
        sentinels=(("10.0.0.1", 26380), ("10.0.0.2", SENTINEL_PORT), ("::1", 5000)),
        service_name="warmline",
        db=2,
        password="pri@mary",
        sentinel_password="s3",
    )


def test_the_database_is_0_and_there_is_no_password_unless_given():
    assert parse_sentinel_url("redis+sentinel://user:pw@sentinel/line") == SentinelURL(
        sentinels=(("sentinel", SENTINEL_PORT),),
        service_name="line",
        username="user",
        password="pw",
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis://127.0.0.1:6379/0", "starts with redis"),
        ("redis+sentinel://sentinel:99999/line", "host:port pairs"),
        ("redis+sentinel://sentinel:port/line", "host:port pairs"),
        ("redis+sentinel://a,,b/line", "host:port pairs"),
        ("redis+sentinel://sentinel", "names the service"),
        ("redis+sentinel://sentinel/line/0/more", "names the service"),
        ("redis+sentinel://sentinel/line/zero", "is a number"),
        ("redis+sentinel://sentinel/line?ssl=true", "takes no ssl option"),
    ],
)
def test_a_malformed_sentinel_url_is_refused_saying_why(url, says):
    with pytest.raises(ValueError, match=says):
        parse_sentinel_url(url)


def test_a_sentinel_url_gives_a_client_of_the_primary_that_retries_through_a_failover():
    client = redis_client(
        "redis+sentinel://:pw@127.0.0.1:1,127.0.0.1:2/warmline/3", socket_timeout=2
    )
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.connection_class is PrimaryConnection
    assert pool.service_name == "warmline"
    assert pool.is_master
    options = pool.connection_kwargs
    assert (options["db"], options["password"], options["socket_timeout"]) == (3, "pw", 2)
    assert options["retry"].get_retries() >= 5
    sentinels = pool.sentinel_manager.sentinels
    assert [s.connection_pool.connection_kwargs["port"] for s in sentinels] == [1, 2]
    assert sentinels[0].connection_pool.connection_kwargs["socket_timeout"] == 2


def test_any_other_url_is_one_server(redis_url):
    client = redis_client(redis_url, socket_timeout=1)
    assert client.ping()
    assert not isinstance(client.connection_pool, SentinelConnectionPool)


def test_a_command_under_way_when_the_primary_dies_completes_on_the_promoted_replica(tmp_path):
    servers = SentinelRedis(tmp_path)
    results: list = []
    try:
        servers.start()
        client = redis_client(servers.url, socket_timeout=30, socket_connect_timeout=2)
        client.set("warmline:test", "kept")
        primary = redis.Redis(port=servers.ports["primary"])
        # A worker waiting for its next job, as RQ's do: the kill drops it mid-command.
        waiting = threading.Thread(
            target=lambda: results.append(client.blpop(["warmline:jobs"], timeout=0)), daemon=True
        )
        waiting.start()
        wait_for(
            lambda: primary.info("clients")["blocked_clients"] == 1,
            timeout=10,
            what="the pop to wait on the primary",
        )
        servers.kill_primary()
        killed = time.monotonic()
        wait_for(servers.promoted, timeout=FAILOVER_DEADLINE_SECONDS, what="the replica promoted")
        redis_client(servers.url).rpush("warmline:jobs", "next")

        waiting.join(timeout=FAILOVER_DEADLINE_SECONDS)
        assert results == [(b"warmline:jobs", b"next")], "the pop went on on the new primary"
        assert time.monotonic() - killed < FAILOVER_DEADLINE_SECONDS
        assert client.get("warmline:test") == b"kept"
        client.close()
    finally:
        servers.stop()
