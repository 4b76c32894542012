"""Fixtures: the simulator on a manual clock, served over HTTP, and apps for it to call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from config.settings import Settings
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.services import serve
from warmline.app import create_app
from warmline.simulator import ManualClock, Simulator, create_simulator, simulator_of
from warmline.telephony import TwilioGateway


class LateApp:
    """A WSGI app whose target is set after the server knows its own address."""

    def __init__(self) -> None:
        self.target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@dataclass
class Seen:
    """One request the script server received, and whether its signature was valid."""

    path: str
    form: dict[str, str]
    signed: bool


@dataclass
class Script:
    """A web app that answers each path with hand-written TwiML, recording what it got."""

    base_url: str = ""
    documents: dict[str, str | Callable[[dict[str, str]], str]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    failing: dict[str, int] = field(default_factory=dict)

    def __setitem__(self, path: str, twiml) -> None:
        self.documents[path] = twiml

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [seen.form for seen in self.seen if seen.path == path]


def script_app(script: Script) -> Flask:
    app = Flask(__name__)
    validator = RequestValidator(AUTH_TOKEN)

    @app.route("/<path:path>", methods=["GET", "POST"])
    def answer(path: str):
        path = "/" + path
        params = request.form.to_dict() if request.method == "POST" else {}
        url = script.base_url + request.full_path.rstrip("?")
        signed = validator.validate(url, params, request.headers.get("X-Twilio-Signature", ""))
        form = {**request.args.to_dict(), **params}
        script.seen.append(Seen(path, form, signed))
        if path in script.failing:
            return Response("broken", status=script.failing[path])
        document = script.documents.get(path, "<Response/>")
        body = document(form) if callable(document) else document
        return Response(body, mimetype="text/xml")

    return app


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def script() -> Iterator[Script]:
    script = Script()
    with serve(script_app(script)) as url:
        script.base_url = url
        yield script


@pytest.fixture
def sim(script: Script, clock: ManualClock) -> Iterator[Simulator]:
    """A simulator whose lines send their webhooks to the script server."""
    app = create_simulator(
        webhook_base_url=script.base_url,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        clock=clock,
    )
    simulator = simulator_of(app)
    yield simulator
    simulator.close()


@dataclass
class Line:
    """The real warmline app and the simulator, each serving the other."""

    sim: Simulator
    clock: ManualClock
    gateway: TwilioGateway
    app: Flask


@pytest.fixture
def api(settings, script: Script, clock: ManualClock) -> Iterator[tuple[Simulator, Settings]]:
    """The simulator's REST API served over HTTP, its webhooks going to the script server.

    Yields the simulator and settings pointing twilio_api_base_url at it.
    """
    app = create_simulator(
        webhook_base_url=script.base_url,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        clock=clock,
    )
    with serve(app) as url:
        yield simulator_of(app), replace(settings, twilio_api_base_url=url)
    simulator_of(app).close()


@pytest.fixture
def gateway(api) -> TwilioGateway:
    """warmline's own Twilio gateway, talking to the served simulator."""
    return TwilioGateway(api[1])


@pytest.fixture
def line(settings, clock: ManualClock, upgraded) -> Iterator[Line]:
    """Run the real warmline app against the simulator over HTTP, on a manual clock."""
    warmline_proxy, simulator_proxy = LateApp(), LateApp()
    with serve(warmline_proxy) as warmline_url, serve(simulator_proxy) as simulator_url:
        wired = replace(settings, public_url=warmline_url, twilio_api_base_url=simulator_url)
        upgraded(wired.database_url)
        app = create_app(wired)
        warmline_proxy.target = app
        simulator_app = create_simulator(
            webhook_base_url=warmline_url,
            account_sid=wired.twilio_account_sid,
            auth_token=wired.twilio_auth_token,
            clock=clock,
        )
        simulator_proxy.target = simulator_app
        simulator = simulator_of(simulator_app)
        try:
            yield Line(simulator, clock, TwilioGateway(wired), app)
        finally:
            simulator.close()
            app.extensions["warmline"].engine.dispose()
