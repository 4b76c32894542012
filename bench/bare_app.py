"""The yardstick: a bare Flask app answering constant TwiML, served like the real one."""

from flask import Flask, Response

CONSTANT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you for calling.</Say>'
    "<Enqueue>bench</Enqueue></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/webhooks/voice/incoming")
    def incoming():
        return Response(CONSTANT, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app
