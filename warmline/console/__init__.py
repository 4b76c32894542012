"""The coordinator console: people, roster, line settings, block list and reports."""

from __future__ import annotations

from flask import Flask

from warmline.console import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(views.feeds)
