"""The yardstick: a bare Flask app answering constant TwiML, served like the real one."""

from flask import Flask, Response

# What the bare app answers on each webhook it stands in for.
CONSTANT_TWIML = {
    "/webhooks/voice/incoming": (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you for calling.</Say>'
        "<Enqueue>bench</Enqueue></Response>"
    ),
    "/webhooks/sms/incoming": (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you for texting. In '
        "crisis, call or text 988.</Message></Response>"
    ),
    "/webhooks/voice/status": '<?xml version="1.0" encoding="UTF-8"?><Response />',
}


def create_app(path: str) -> Flask:
    """Return a bare app answering `path` with its constant TwiML."""
    app = Flask(__name__)
    twiml = CONSTANT_TWIML[path]

    @app.post(path)
    def webhook():
        return Response(twiml, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app
