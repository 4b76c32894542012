"""The dashboard's JSON API under /api; the pages use nothing else.

Every route checks, on the server, who is asking: a specialist sees the waiting line of
the line they are on shift on and their own contacts; coordinator routes refuse anyone
else with 403. This module holds what every route shares: the blueprint, CSRF, errors as
JSON, request bodies, and the API's own OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from warmline.dashboard import openapi
from warmline.web.security import require_csrf

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(require_csrf)


# Ids are 32-bit integers in PostgreSQL; anything larger names nothing.
MAX_ID = 2**31 - 1


@bp.errorhandler(HTTPException)
def _as_json(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description or error.name), error.code or 500


def _body(required: dict[str, type], optional: dict[str, type] | None = None) -> dict[str, Any]:
    """Return the request's JSON object, refusing unknown fields and wrong types."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description=_("Send a JSON object with Content-Type: application/json."))
    fields = {**required, **(optional or {})}
    if set(data) - set(fields):
        abort(400, description=_("The request has a field this route does not take."))
    for name, kind in fields.items():
        if name not in data:
            if name in required:
                abort(400, description=_("The request needs '%(name)s'.", name=name))
            continue
        value = data[name]
        # JSON true is a Python int too: only a real int counts as an id.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            abort(400, description=_("'%(name)s' has the wrong type.", name=name))
        if kind is int and not 0 <= value <= MAX_ID:
            abort(400, description=_("'%(name)s' is out of range.", name=name))
    return data


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
