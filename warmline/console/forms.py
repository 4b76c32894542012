"""Reading the console's forms and answering them: fields, refusals, redirects, CSV files."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from warmline import roster_csv
from warmline.models import Line, User
from warmline.web import db_session, i18n

# The audit trail's name for changes made here.
VIA = "console"
MAX_FIELD = 500
MAX_ID = 2**31 - 1
# Each field's name as a refusal puts it into a sentence ("%(field)s is required"), by the
# field's name in the form; a field missing here is named by its form name, in English.
FIELD_NAMES = {
    "contacts_before_break": _l("contacts before a break"),
    "callback_retry_seconds": _l("seconds before a call back is tried again"),
    "callbacks": _l("call backs"),
    "crisis_carry_hours": _l("crisis carry hours"),
    "crisis_number": _l("crisis number"),
    "crisis_terms": _l("crisis terms"),
    "daily_contact_limit": _l("daily contact limit"),
    "date": _l("date"),
    "days": _l("days"),
    "display_name": _l("display name"),
    "draft": _l("draft"),
    "email": _l("email"),
    "end": _l("end"),
    "first": _l("first shift"),
    "first date": _l("first date"),
    "from": _l("from"),
    "holidays": _l("holidays"),
    "languages": _l("languages"),
    "long_call_minutes": _l("long call minutes"),
    "last date": _l("last date"),
    "max_texts": _l("max texts"),
    "max_texts_per_specialist": _l("max texts per specialist"),
    "max_pending_callbacks": _l("call backs waiting at once"),
    "max_wait_seconds": _l("max wait seconds"),
    "min_specialists": _l("min specialists"),
    "name": _l("name"),
    "overflow_number": _l("overflow number"),
    "password": _l("password"),
    "phone": _l("phone"),
    "reason": _l("reason"),
    "recovery_seconds": _l("recovery break seconds"),
    "retention_days": _l("retention days"),
    "ring_timeout_seconds": _l("ring timeout seconds"),
    "second": _l("second shift"),
    "start": _l("start"),
    "to": _l("to"),
    "user_id": _l("person"),
    "weeks": _l("weeks"),
    "wrap_up_seconds": _l("wrap up seconds"),
    "wrap_up_topics": _l("wrap up topics"),
}
# The database's own checks, by constraint name, and the form field each one guards: a value
# that slips past the form's check is refused naming its field, never in the database's words.
CONSTRAINT_FIELDS = {
    "ring_timeout": "ring_timeout_seconds",
    "wrap_up": "wrap_up_seconds",
    "max_wait": "max_wait_seconds",
    "daily_limit": "daily_contact_limit",
    "retention": "retention_days",
    "max_texts": "max_texts_per_specialist",
    "crisis_carry": "crisis_carry_hours",
    "weekday": "first date",
    "ends_after_start": "end",
}


class FormError(ValueError):
    """A form value the console refuses, with what to fix and, when known, its field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def field_name(name: str) -> str:
    """Name a form field in the reader's language, for a sentence that refuses its value."""
    return str(FIELD_NAMES.get(name, name.replace("_", " ")))


def text(name: str, *, required: bool = True, limit: int = MAX_FIELD) -> str:
    """Return the form field, trimmed, refusing it empty (when required) or too long."""
    value = request.form.get(name, "").strip()
    if required and not value:
        raise FormError(_("%(field)s is required", field=field_name(name)), name)
    if len(value) > limit:
        raise FormError(
            _("%(field)s has at most %(limit)s characters", field=field_name(name), limit=limit),
            name,
        )
    return value


def whole_number(name: str, low: int, high: int, source: Any = None) -> int:
    """Return the field (of the form, or of `source`) as a whole number in [low, high]."""
    raw = (source or request.form).get(name, "").strip()
    if not re.fullmatch(r"-?\d{1,9}", raw) or not low <= int(raw) <= high:
        raise FormError(
            _(
                "%(field)s must be a whole number from %(low)s to %(high)s",
                field=field_name(name),
                low=low,
                high=high,
            ),
            name,
        )
    return int(raw)


def optional_number(name: str, low: int, high: int) -> int | None:
    """Return a whole number in [low, high] from the form, or None when left empty."""
    if not request.form.get(name, "").strip():
        return None
    return whole_number(name, low, high)


def day(raw: str | None, name: str = "date") -> date:
    """Return an ISO date, naming the field when it is not one."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise FormError(
            _("%(field)s must be a date like 2026-11-21", field=field_name(name))
        ) from None


def language_codes(raw: str) -> list[str]:
    """Return the comma-separated language codes, lowercased; at least one."""
    codes = [code.strip().lower() for code in raw.split(",") if code.strip()]
    if not codes:
        raise FormError(_("give at least one language code, such as en"), "languages")
    return codes


def person(field: str = "user_id") -> User:
    """Return the user the form names by id."""
    user = db_session().get(User, whole_number(field, 1, MAX_ID))
    if user is None:
        raise FormError(_("no such person"))
    return user


def chosen_person(unchosen: str, field: str = "user_id") -> User:
    """Return the person a select names, saying `unchosen` when it was left on its empty choice."""
    if not request.form.get(field, "").strip():
        raise FormError(unchosen, field)
    return person(field)


def done(message: str, endpoint: str, **values: Any) -> Response:
    """Flash that the change is made and show the page again."""
    flash(message, "ok")
    return redirect(url_for(endpoint, **values), code=303)


def refusal(error: Exception) -> FormError:
    """Say why a change was refused in the reader's language, naming its field when known."""
    if isinstance(error, FormError):
        return error
    if isinstance(error, IntegrityError):
        said = str(error.orig)
        for constraint, field in CONSTRAINT_FIELDS.items():
            if constraint in said:
                message = _(
                    "%(field)s: the line does not allow this value", field=field_name(field)
                )
                return FormError(message, field)
        return FormError(_("This clashes with something already saved; nothing was changed."))
    return FormError(i18n.refusal(error), getattr(error, "field", None))


def flash_refusal(error: Exception) -> FormError:
    """Undo the request's changes and flash why; return what was said, with its field."""
    db_session().rollback()
    refused = refusal(error)
    message = str(refused)
    message = message[:1].upper() + message[1:]
    flash(message, "error")
    return FormError(message, refused.field)


def refused(error: Exception, endpoint: str, **values: Any) -> Response:
    """Undo the request's changes, flash why and show the page again."""
    flash_refusal(error)
    return redirect(url_for(endpoint, **values), code=303)


def csv_download(name: str, header: list[str], rows: list[list[Any]]) -> Response:
    """Answer with a CSV file a spreadsheet opens."""
    body = roster_csv.write_csv(header, rows)
    safe = re.sub(r"[^a-z0-9_.-]", "-", name.lower())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def local_time(line: Line, moment: datetime | None) -> str:
    """Show a moment in the line's timezone, to the minute, as the reader's language writes it."""
    return i18n.moment(moment, line.timezone)
