"""`GET /healthz`: what a load balancer asks before sending traffic here."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify
from rq import Worker
from sqlalchemy import text

from warmline.web import runtime

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database and Redis answer, 503 naming what is down."""
    services = runtime()
    status = {"db": "ok", "redis": "ok"}
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        log.warning("health check: the database does not answer", exc_info=True)
        status["db"] = "down"
    try:
        services.redis.ping()
        status["workers"] = Worker.count(connection=services.redis)
    except Exception:
        log.warning("health check: Redis does not answer", exc_info=True)
        status["redis"] = "down"
    healthy = status["db"] == "ok" and status["redis"] == "ok"
    return jsonify(status), 200 if healthy else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
