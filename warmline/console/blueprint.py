"""The console's blueprint and the rule every console route keeps: coordinators only.

Pages are server-rendered forms. Their only scripts are the app's own files (the live
board, and every page's notices from specialists), so nothing here needs the CSP loosened.
Every route needs a signed-in coordinator or administrator, but for the live board, which a
supervisor of the line may open too; a line the person does not run answers 404. Every
change is audited with who made it, and goes through a domain function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from warmline.models import Line
from warmline.web import db_session
from warmline.web.auth import COORDINATORS, current_user, require_user
from warmline.web.security import require_csrf

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
# Ids are 32-bit integers in PostgreSQL; anything larger names nothing.
ID = "int(max=2147483647)"
# The console's pages a supervisor who coordinates nothing may open (each checks the line).
SUPERVISOR_PAGES = frozenset(
    {
        "console.live_page",
        "console.static",
        "console.practice_page",
        "console.open_practice",
        "console.debrief_practice",
    }
)


@bp.before_request
def _coordinators_only() -> Any:
    require_csrf()
    user = current_user()
    if user is None:
        if request.method == "GET" and not request.path.endswith((".json", ".csv")):
            return redirect(url_for("dashboard.sign_in_page", next=request.path))
        abort(401, description=_("Please sign in."))
    if user.role not in COORDINATORS and not (
        user.supervisor and request.endpoint in SUPERVISOR_PAGES
    ):
        abort(403, description=_("Only coordinators can use the console."))
    return None


@bp.errorhandler(403)
@bp.errorhandler(404)
def _refused_page(error: HTTPException) -> Any:
    """Answer a console page someone may not see with a page in their language and a way back.

    A specialist following a console link reads why, and finds their dashboard again.
    """
    if request.path.endswith((".json", ".csv")):
        return error
    page = render_template("console/refused.html", code=error.code, message=error.description)
    return page, error.code


def coordinator_route(rule: str, **options: Any) -> Callable:
    """Register a console route that also checks the role itself, in case of a refactor."""

    def decorator(view: Callable) -> Callable:
        return bp.route(rule, **options)(require_user(*COORDINATORS)(view))

    return decorator


def on_line(model: type[Any], row_id: int, line: Line, missing: str) -> Any:
    """Return the line's row of `model` with that id; 404 for none or another line's."""
    row = db_session().get(model, row_id)
    if row is None or row.line_id != line.id:
        abort(404, description=missing)
    return row
