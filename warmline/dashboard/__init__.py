"""The specialists' shift dashboard: pages, the JSON API they use, live events.

Flask views over the domain; imports `warmline.web` (sign-in, CSRF, access), never the console.
"""

from __future__ import annotations

from flask import Flask

from warmline.dashboard import api, pages
from warmline.web import security


def init_app(app: Flask) -> None:
    security.init_app(app)
    app.register_blueprint(pages.bp)
    api.init_app(app)
