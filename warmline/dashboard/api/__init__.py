"""The dashboard's JSON API under /api, one module per feature on one blueprint.

Flask views over the domain; imports `warmline.web` and the dashboard's board and events.
"""

from __future__ import annotations

from flask import Flask

# Importing a feature module registers its routes on the blueprint.
from warmline.dashboard.api import (  # noqa: F401
    account,
    contacts,
    conversations,
    coordinator,
    shift,
    stream,
    support,
    wellbeing,
    wrapup,
)
from warmline.dashboard.api.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
