"""A specialist's wellbeing: more time on a recovery break, asking a coordinator to check in."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _

from warmline import wellbeing
from warmline.dashboard.api.blueprint import bp
from warmline.dashboard.api.shift import _shift_json, _shift_or_409
from warmline.models import utcnow
from warmline.web import db_session, runtime
from warmline.web.auth import require_user
from warmline.web.auth import signed_in_user as _me


@bp.post("/shift/recovery")
@require_user()
def extend_recovery():
    """Give the recovery break five more minutes."""
    user, services = _me(), runtime()
    shift = _shift_or_409(user)
    if not wellbeing.extend_recovery(
        services.redis, services.jobs, line_id=shift.line.id, specialist_id=user.id
    ):
        abort(409, description=_("You are not on a recovery break now."))
    return jsonify(_shift_json(user))


@bp.post("/check-in")
@require_user()
def check_in():
    """Ask the coordinators on shift on your line to check in with you; say whom it reached."""
    user = _me()
    shift = _shift_or_409(user)
    asked = wellbeing.check_in(
        db_session(), runtime().redis, line=shift.line, specialist=user, at=utcnow()
    )
    return jsonify(reached=list(asked.reached))
