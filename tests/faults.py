"""Break the app's connections the way production breaks them."""

from __future__ import annotations

import dataclasses

import redis

from warmline.db import create_db_engine, session_factory


def break_database(app) -> None:
    """Point the app at a database server that is not there."""
    services = app.extensions["warmline"]
    dead = create_db_engine("postgresql://warmline@127.0.0.1:9/nowhere")
    app.extensions["warmline"] = dataclasses.replace(
        services, engine=dead, sessions=session_factory(dead)
    )


def break_redis(app, tmp_path) -> None:
    """Point the app at a Redis socket nobody listens on."""
    services = app.extensions["warmline"]
    dead = redis.Redis(unix_socket_path=str(tmp_path / "no-redis.sock"), socket_timeout=1)
    app.extensions["warmline"] = dataclasses.replace(services, redis=dead)
