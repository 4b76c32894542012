"""The specialists' shift dashboard: pages, the JSON API they use, sign-in, live events."""

from __future__ import annotations

from flask import Flask

from warmline.dashboard import api, pages, security


def init_app(app: Flask) -> None:
    security.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
