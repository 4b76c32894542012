"""The web application's composition root."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import webhooks
from config.settings import Settings
from warmline import console, dashboard, health
from warmline.composition import build_runtime
from warmline.logs import configure_logging
from warmline.web import close_session, i18n

# Twilio's own requests are small (an SMS body is at most 1,600 characters).
MAX_REQUEST_BYTES = 256 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app: settings, logging, connections, blueprints."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
    )
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions["warmline"] = build_runtime(settings)
    app.teardown_appcontext(close_session)

    i18n.init_app(app)
    health.init_app(app)
    webhooks.init_app(app)
    dashboard.init_app(app)
    console.init_app(app)
    return app
