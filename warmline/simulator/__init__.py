"""A local stand-in for Twilio: its REST API, a TwiML interpreter and simulated phones.

Development and tests only; it never ships as part of the production web app. An adapter that
imports Flask, requests and twilio's validator, and of the project only config. Its modules
import downwards only: state, scheduler, phones, directory, webhook_client, carrier, then
queues, conferences, calls, texts, then connecting, twiml, and the `Simulator` in engine.
"""

from __future__ import annotations

from flask import Flask, jsonify

from warmline.simulator import account, api, page
from warmline.simulator.clock import Clock, ManualClock, RealClock
from warmline.simulator.engine import Simulator
from warmline.simulator.phones import Phone
from warmline.simulator.state import APPLICATION_ERROR, RING_SECONDS

__all__ = [
    "APPLICATION_ERROR",
    "RING_SECONDS",
    "Clock",
    "ManualClock",
    "Phone",
    "RealClock",
    "Simulator",
    "create_simulator",
    "page",
    "simulator_of",
]


def create_simulator(
    *, webhook_base_url: str, account_sid: str, auth_token: str, clock: Clock
) -> Flask:
    """Build the simulator as a WSGI app: Twilio's REST API under /2010-04-01, Monitor's /v1."""
    sim = Simulator(
        webhook_base_url=webhook_base_url,
        account_sid=account_sid,
        auth_token=auth_token,
        clock=clock,
    )
    app = Flask(__name__)
    api.init_app(app, sim)
    account.init_app(app)

    @app.errorhandler(404)
    def not_found(_error):
        body = {
            "code": 20404,
            "message": "The requested resource was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404,
        }
        return jsonify(body), 404

    return app


def simulator_of(app: Flask) -> Simulator:
    """Return the simulator behind an app built by `create_simulator`."""
    return app.extensions["simulator"]
