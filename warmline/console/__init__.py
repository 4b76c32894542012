"""The coordinator console: people, roster, line settings, block list, reports, audit, feeds.

Flask views over the domain's functions; imports `warmline.web`, never `warmline.dashboard`.
"""

from __future__ import annotations

from flask import Flask

# Importing a feature module registers its routes on the blueprint.
from warmline.console import (  # noqa: F401
    audit,
    blocks,
    feedback,
    feeds,
    lines,
    notices,
    people,
    practice,
    reports,
    roster,
)
from warmline.console.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(feeds.feeds)
