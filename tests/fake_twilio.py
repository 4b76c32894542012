"""A stand-in for Twilio's REST API, answering as its documentation says it does."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

from tests.services import serve

ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-f]{32})/")


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, list[str]]
    auth: tuple[str, str] | None
    created_sid: str | None = None
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class FakeTwilio:
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    # What GET Calls/<sid>.json reports; a call not listed is in progress.
    call_statuses: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None


def _app(fake: FakeTwilio) -> Flask:
    app = Flask(__name__)

    @app.before_request
    def record():
        auth = request.authorization
        fake.requests.append(
            Recorded(
                request.method,
                request.path,
                request.form.to_dict(flat=False),
                (auth.username, auth.password) if auth else None,
            )
        )
        if fake.hold is not None:
            fake.hold.wait(timeout=30)

    def error(status: int, code: int, message: str):
        return jsonify(
            {
                "code": code,
                "message": message,
                "status": status,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
            }
        ), status

    @app.post("/2010-04-01/Accounts/<account>/Calls.json")
    def create_call(account):
        if not re.fullmatch(r"\+[1-9]\d{6,14}", request.form.get("To", "")):
            # Twilio's own message quotes the number it refused.
            number = request.form.get("To", "")
            return error(400, 21211, f"The 'To' number {number} is not a valid phone number.")
        sid = "CA" + secrets.token_hex(16)
        fake.requests[-1].created_sid = sid
        return jsonify(
            {
                "sid": sid,
                "account_sid": account,
                "status": "queued",
                "to": request.form["To"],
                "from": request.form["From"],
            }
        ), 201

    @app.get("/2010-04-01/Accounts/<account>/Calls/<sid>.json")
    def fetch_call(account, sid):
        if not sid.startswith("CA"):
            return error(404, 20404, "The requested resource was not found")
        return jsonify(
            {
                "sid": sid,
                "account_sid": account,
                "status": fake.call_statuses.get(sid, "in-progress"),
            }
        )

    @app.post("/2010-04-01/Accounts/<account>/Calls/<sid>.json")
    def update_call(account, sid):
        if not sid.startswith("CA"):
            return error(404, 20404, "The requested resource was not found")
        # Only a call in progress takes new TwiML; an ended one takes nothing
        # (https://www.twilio.com/docs/errors/21220).
        status = fake.call_statuses.get(sid, "in-progress")
        ended = status in {"completed", "busy", "failed", "no-answer", "canceled"}
        if ended or (status != "in-progress" and "Url" in request.form):
            return error(400, 21220, "Call is not in-progress. Cannot redirect.")
        return jsonify(
            {
                "sid": sid,
                "account_sid": account,
                "status": request.form.get("Status", "in-progress"),
            }
        )

    @app.post("/2010-04-01/Accounts/<account>/Conferences/<conference>/Participants.json")
    def add_participant(account, conference):
        return jsonify(
            {
                "call_sid": "CA" + secrets.token_hex(16),
                "account_sid": account,
                "conference_sid": "CF" + secrets.token_hex(16),
                "status": "queued",
            }
        ), 201

    @app.post("/2010-04-01/Accounts/<account>/Conferences/<conference>/Participants/<call>.json")
    def update_participant(account, conference, call):
        return jsonify(
            {
                "call_sid": call,
                "account_sid": account,
                "conference_sid": conference,
                "muted": request.form.get("Muted") == "true",
                "coaching": request.form.get("Coaching") == "true",
                "call_sid_to_coach": request.form.get("CallSidToCoach"),
            }
        )

    @app.post("/2010-04-01/Accounts/<account>/Messages.json")
    def create_message(account):
        sid = "SM" + secrets.token_hex(16)
        fake.requests[-1].created_sid = sid
        return jsonify(
            {
                "sid": sid,
                "account_sid": account,
                "status": "queued",
                "body": request.form.get("Body", ""),
            }
        ), 201

    return app


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    with serve(_app(fake)) as fake.base_url:
        try:
            yield fake
        finally:
            if fake.hold is not None:
                fake.hold.set()
