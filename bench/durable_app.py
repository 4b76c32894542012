"""The fair yardstick: the least any warm line's webhook must do before it answers.

It checks the Twilio signature, turns the caller's number into a caller tag (the keyed hash
warmline keeps instead of the number), inserts one row and commits it on the database,
makes one Redis call and answers constant TwiML: served like the real app, on its engine and
Redis settings. `create_tables` makes its table before gunicorn starts, so its processes do
not race to.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert
from twilio.request_validator import RequestValidator

from bench.bare_app import CONSTANT_TWIML
from config.settings import Settings
from warmline.composition import build_runtime
from warmline.db import create_db_engine
from warmline.models import utcnow
from warmline.privacy import caller_tag

METADATA = MetaData()
ARRIVALS = Table(
    "bench_durable_arrivals",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("sid", String(64), nullable=False),
    Column("caller_tag", String(64)),
    Column("arrived_at", DateTime(timezone=True), nullable=False),
)
# Twilio's id of the call or text, whichever the webhook is about.
SIDS = ("CallSid", "MessageSid")


def create_tables(database_url: str) -> None:
    engine = create_db_engine(database_url)
    METADATA.create_all(engine)
    engine.dispose()


def create_app(path: str, settings: Settings | None = None) -> Flask:
    """Return a durable app answering `path`: signature, caller tag, one row, one Redis call."""
    settings = settings or Settings.from_env()
    services = build_runtime(settings)
    validator = RequestValidator(settings.twilio_auth_token)
    app = Flask(__name__)
    app.extensions["warmline"] = services
    twiml = CONSTANT_TWIML[path]
    url = settings.public_url + path

    @app.post(path)
    def webhook():
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature")):
            abort(403)
        sid = next(request.form[name] for name in SIDS if name in request.form)
        tag = caller_tag(request.form.get("From", ""), settings.caller_key)
        with services.engine.begin() as connection:
            connection.execute(
                insert(ARRIVALS).values(sid=sid, caller_tag=tag, arrived_at=utcnow())
            )
        services.redis.set(f"bench:seen:{sid}", 1, ex=600)
        return Response(twiml, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app
