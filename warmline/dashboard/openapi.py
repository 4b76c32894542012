"""The OpenAPI 3.1 document of the dashboard's JSON API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from warmline.crisis.language import INTERPRETED
from warmline.models import MAX_TOPICS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


CSRF = [{"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"}}]


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


CONTACT_ID = _path_id("contact_id")
SIGNED_IN = [{"session": []}]
REFUSED = {
    "400": _error("The body is not what this route takes."),
    "401": _error("Not signed in."),
    "403": _error("Wrong role, or the CSRF token is missing or wrong."),
}


def _operation(
    summary: str,
    responses: dict[str, Any],
    *,
    changes: bool = False,
    body: dict[str, Any] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**responses}}
    params = [*(parameters or []), *(CSRF if changes else [])]
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = body
    if not public:
        operation["security"] = SIGNED_IN
        operation["responses"] = {**REFUSED, **responses}
    return operation


NO_CONVERSATION = "No open text conversation of yours has that id."
SHIFT_OK = {"200": _json(_ref("Shift"), "The shift as it is now.")}
CONFLICT = {"409": _error("Not possible now (not on shift, busy, already taken).")}
CONTACT_LISTS = {
    "type": "object",
    "properties": {
        "waiting": {"type": "array", "items": _ref("Contact")},
        "mine": {"type": "array", "items": _ref("Contact")},
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "display_name": {"type": "string"},
            "role": {"enum": ["specialist", "coordinator", "admin"]},
            "languages": {"type": "array", "items": {"type": "string"}},
            "must_choose_password": {"type": "boolean"},
        },
    },
    "Line": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "wrap_up_topics": {"type": "array", "items": {"type": "string"}},
            "wrap_up_seconds": {"type": "integer"},
            "recovery_seconds": {"type": "integer"},
        },
    },
    "Shift": {
        "type": "object",
        "properties": {
            "on_shift": {"type": "boolean"},
            "line": _ref("Line"),
            "status": {
                "enum": [
                    "available",
                    "break",
                    "wrap_up",
                    "recovery",
                    "on_call",
                    "texting",
                    "offline",
                ],
                "description": "As the line treats you now: a wrap-up whose time is up is over.",
            },
            "reason": {"type": "string"},
            "wrap_up_seconds_left": {"type": "integer"},
            "recovery_seconds_left": {
                "type": "integer",
                "description": "On a recovery break: how long until offers start again.",
            },
            "contact_id": {"type": ["integer", "null"]},
            "offer_contact_id": {"type": ["integer", "null"]},
            "text_offer_contact_id": {
                "type": ["integer", "null"],
                "description": "The waiting text offered to you: accept it or let it pass.",
            },
            "ending": {"type": "boolean"},
        },
        "required": ["on_shift", "status"],
    },
    "Message": {
        "description": "One text; the body is the texter's or your own words: show it as text.",
        "type": "object",
        "properties": {
            "index": {"type": "integer"},
            "sender": {"enum": ["texter", "specialist"]},
            "body": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
            "pictures": {"type": "integer"},
            "status": {"type": ["string", "null"]},
        },
    },
    "Contact": {
        "description": "A contact as a specialist may see it: never a number, name or place.",
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "channel": {"enum": ["voice", "sms"]},
            "language": {"type": "string"},
            "crisis_tier": {"enum": [0, 1, 2]},
            "waiting_seconds": {"type": "integer"},
            "contacts_this_month": {"type": ["integer", "null"]},
            "state": {
                "enum": ["waiting", "ringing", "offered", "live", "wrap_up"],
                "description": "ringing: a call being offered; offered: a text being offered.",
            },
            "crisis_leg": {
                "enum": ["", "dialing", "ringing", "answered", "joined", "unreached", "left"]
            },
            "crisis_referred": {
                "type": "boolean",
                "description": "Transferred to the crisis line: the wrap-up's referral is ticked.",
            },
            "flagged_hours_ago": {
                "type": ["integer", "null"],
                "description": "Hours since an earlier contact of this caller showed crisis signs.",
            },
            "takeable": {
                "type": "boolean",
                "description": "Waiting, and the line would give it to you if you accepted now.",
            },
            "talking_seconds": {
                "type": ["integer", "null"],
                "description": "How long the conversation has gone on since it was connected.",
            },
            "callback": {
                "type": "boolean",
                "description": "The caller asked to be called back: taking them calls them.",
            },
            "practice": {
                "type": "boolean",
                "description": "A practice call for a specialist in training, not a real caller.",
            },
            "unspoken_language": {
                "enum": [None, *INTERPRETED],
                "description": "The texter wrote in this language, which the line does not "
                "speak; they were told how to reach 988 with an interpreter.",
            },
        },
    },
    "OnShift": {
        "description": "A specialist on shift, as their line's coordinators see them.",
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "status": {"enum": ["available", "on_call", "texting", "wrap_up", "recovery", "break"]},
            "reason": {"type": "string", "description": "Why on a break, if they are."},
            "wrap_up_seconds_left": {"type": "integer"},
            "recovery_seconds_left": {"type": "integer"},
            "ending": {"type": "boolean", "description": "Stopping after this contact."},
            "crisis_contacts_this_week": {
                "type": "integer",
                "description": "Crisis contacts they took on the line since Monday 00:00.",
            },
        },
    },
}


def _call_action(summary: str, accepted: str) -> dict[str, Any]:
    """Describe a change to your own call that is under way when the answer comes (202)."""
    responses = {
        "202": _json({"type": "object"}, accepted),
        "404": _error("No such contact of yours."),
        **CONFLICT,
    }
    return {"post": _operation(summary, responses, changes=True, parameters=[CONTACT_ID])}


def document() -> dict[str, Any]:
    """Return the API's OpenAPI document."""
    paths = {
        "/api/openapi.json": {
            "get": _operation(
                "This document", {"200": _json({"type": "object"}, "OpenAPI 3.1")}, public=True
            )
        },
        "/api/session": {
            "get": _operation(
                "Who is signed in, and the CSRF token to send with every change",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "user": {"oneOf": [_ref("User"), {"type": "null"}]},
                                "csrf_token": {"type": "string"},
                            },
                        },
                        "The session.",
                    )
                },
                public=True,
            ),
            "post": _operation(
                "Sign in (5 failures per 15 minutes per account and per address)",
                {
                    "200": _json({"type": "object"}, "Signed in."),
                    "400": _error("The body is not what this route takes."),
                    "401": _error("Wrong email or password."),
                    "403": _error("CSRF token missing or wrong."),
                    "429": _error("Too many failures: wait (see Retry-After)."),
                },
                changes=True,
                public=True,
                body=_body(
                    {
                        "email": {"type": "string", "maxLength": 254},
                        "password": {"type": "string", "maxLength": 1024},
                    },
                    ["email", "password"],
                ),
            ),
            "delete": _operation(
                "Sign out, ending your availability: nothing more is offered to you, your open "
                "texts go back in line, and a call you are on ends your shift when it ends",
                {"204": {"description": "Signed out."}, "403": _error("CSRF token missing.")},
                changes=True,
                public=True,
            ),
        },
        "/api/session/password": {
            "post": _operation(
                "Choose your own password (required first after someone else set one)",
                {
                    "204": {"description": "Changed; this browser stays signed in."},
                    **REFUSED,
                },
                changes=True,
                body=_body(
                    {
                        "current_password": {"type": "string", "maxLength": 1024},
                        "new_password": {"type": "string", "minLength": 12, "maxLength": 1024},
                    },
                    ["current_password", "new_password"],
                ),
            )
        },
        "/api/shift": {"get": _operation("Your shift", SHIFT_OK)},
        "/api/lines": {
            "get": _operation(
                "Lines you may start a shift on now",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"lines": {"type": "array", "items": _ref("Line")}},
                        },
                        "The lines.",
                    )
                },
            )
        },
        "/api/shift/start": {
            "post": _operation(
                "Start your shift on a line you are rostered on now",
                {**SHIFT_OK, "404": _error("No such line."), **CONFLICT},
                changes=True,
                body=_body({"line_id": {"type": "integer"}}, ["line_id"]),
            )
        },
        "/api/shift/status": {
            "post": _operation(
                "Go available, or on break with a reason",
                {**SHIFT_OK, **CONFLICT},
                changes=True,
                body=_body(
                    {
                        "status": {"enum": ["available", "break"]},
                        "reason": {"enum": ["rest", "meal", "debrief", "technical", "other"]},
                    },
                    ["status"],
                ),
            )
        },
        "/api/shift/recovery": {
            "post": _operation(
                "Give your recovery break 5 more minutes (at most an hour from now)",
                {**SHIFT_OK, **CONFLICT},
                changes=True,
            )
        },
        "/api/check-in": {
            "post": _operation(
                "Ask the coordinators on shift on your line to check in with you",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "reached": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                        "Who it reached, by name: none when no coordinator is on shift.",
                    ),
                    **CONFLICT,
                },
                changes=True,
            )
        },
        "/api/shift/end": {
            "post": _operation(
                "End your shift now, or after the current contact (202)",
                {
                    **SHIFT_OK,
                    "202": _json(_ref("Shift"), "Ends after the current contact."),
                    **CONFLICT,
                },
                changes=True,
            )
        },
        "/api/queue": {
            "get": _operation(
                "Contacts waiting on your line, and your own contacts",
                {"200": _json(CONTACT_LISTS, "The lists.")},
            )
        },
        "/api/contacts/{contact_id}/accept": {
            "post": _operation(
                "Take a waiting contact, or the one offered to you",
                {**SHIFT_OK, "404": _error("No such waiting contact on your line."), **CONFLICT},
                changes=True,
                parameters=[CONTACT_ID],
            )
        },
        "/api/contacts/{contact_id}/pass": {
            "post": _operation(
                "Let the text offered to you pass to the next specialist",
                {
                    **SHIFT_OK,
                    "409": _error("That text is no longer offered to you."),
                },
                changes=True,
                parameters=[CONTACT_ID],
            )
        },
        "/api/contacts/{contact_id}/support": {
            "post": _operation(
                "Ask the supervisors on duty for support during your call or text (202)",
                {
                    "202": _json(
                        {
                            "type": "object",
                            "properties": {"supervisors_on_duty": {"type": "integer"}},
                        },
                        "Asked: how many supervisors on duty were alerted (0: nobody is).",
                    ),
                    "404": _error("No such contact of yours."),
                    "409": _error("That conversation is over."),
                },
                changes=True,
                parameters=[CONTACT_ID],
            )
        },
        "/api/supervisor/contacts/{contact_id}": {
            "post": _operation(
                "Supervisors: listen to a call, coach its specialist, or join it (202, audited)",
                {
                    "202": _json(
                        {"type": "object", "properties": {"support": {"type": "string"}}},
                        "Under way: listening, coaching or joined.",
                    ),
                    "400": _error("'mode' is 'listen', 'coach' or 'join'."),
                    "404": _error("No such call on a line you supervise."),
                    "409": _error(
                        "Not possible now: a text, a line that does not tell callers, no phone "
                        "of yours, another supervisor, or your own call."
                    ),
                },
                changes=True,
                body=_body({"mode": {"enum": ["listen", "coach", "join"]}}, ["mode"]),
                parameters=[CONTACT_ID],
            )
        },
        "/api/supervisor/lines/{line_id}/events": {
            "get": _operation(
                "Supervisors: live events of a line's board (text/event-stream)",
                {
                    "200": {
                        "description": "The stream.",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    "204": {"description": "Not a supervisor of the line: nothing to follow."},
                    "404": _error("No such line on your board."),
                },
                parameters=[_path_id("line_id")],
            )
        },
        "/api/contacts/{contact_id}/transfer": _call_action(
            "Dial the crisis line into your call (warm handoff)", "Dialing."
        ),
        "/api/contacts/{contact_id}/counselor-joined": {
            "post": _operation(
                "You hear a person from the crisis line: the counselor has joined",
                {
                    "200": _json({"type": "object"}, "Joined."),
                    "404": _error("No such contact of yours."),
                    **CONFLICT,
                },
                changes=True,
                parameters=[CONTACT_ID],
            )
        },
        "/api/contacts/{contact_id}/hang-up": _call_action("Leave your call", "Hanging up."),
        "/api/contacts/{contact_id}/messages": {
            "get": _operation(
                "Your text conversation's messages, oldest first, and the referral script",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "messages": {"type": "array", "items": _ref("Message")},
                                "referral_script": {"type": "string"},
                            },
                        },
                        "The conversation.",
                    ),
                    "404": _error(NO_CONVERSATION),
                },
                parameters=[CONTACT_ID],
            ),
            "post": _operation(
                "Reply to your texter (a worker sends it from the line's number)",
                {
                    "201": _json({"type": "object"}, "Queued for sending."),
                    "404": _error(NO_CONVERSATION),
                },
                changes=True,
                parameters=[CONTACT_ID],
                body=_body({"body": {"type": "string", "maxLength": 1600}}, ["body"]),
            ),
        },
        "/api/contacts/{contact_id}/close": {
            "post": _operation(
                "Close your text conversation; its number and messages are deleted",
                {
                    **SHIFT_OK,
                    "404": _error(NO_CONVERSATION),
                    "409": _error("A crisis-flagged conversation needs confirm: true."),
                },
                changes=True,
                parameters=[CONTACT_ID],
                body={**_body({"confirm": {"type": "boolean"}}, []), "required": False},
            )
        },
        "/api/contacts/{contact_id}/wrap-up": {
            "post": _operation(
                "Record the wrap-up of your contact (no free text is kept)",
                {
                    "201": _json(_ref("Shift"), "Recorded."),
                    "404": _error("No contact of yours waits for a wrap-up."),
                    **CONFLICT,
                },
                changes=True,
                parameters=[CONTACT_ID],
                body=_body(
                    {
                        "topics": {
                            "type": "array",
                            "items": {"type": "string"},
                            "maxItems": MAX_TOPICS,
                        },
                        "crisis_referral_offered": {"type": "boolean"},
                        "follow_up_needed": {"type": "boolean"},
                    },
                    ["topics", "crisis_referral_offered", "follow_up_needed"],
                ),
            )
        },
        "/api/events": {
            "get": _operation(
                "Live events of your line (text/event-stream); refetch on each",
                {
                    "200": {
                        "description": "The stream.",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    "204": {"description": "Not on shift: nothing to follow."},
                },
            )
        },
        "/api/coordinator/shifts": {
            "post": _operation(
                "Coordinators: start someone's shift although not rostered (audited)",
                {
                    "201": _json({"type": "object"}, "Started."),
                    "404": _error("No such line or person."),
                    **CONFLICT,
                },
                changes=True,
                body=_body(
                    {"line_id": {"type": "integer"}, "specialist_id": {"type": "integer"}},
                    ["line_id", "specialist_id"],
                ),
            )
        },
        "/api/coordinator/users/{user_id}/password": {
            "post": _operation(
                "Coordinators: set someone's password (signs them out everywhere)",
                {"204": {"description": "Changed."}, "404": _error("No such person.")},
                changes=True,
                parameters=[_path_id("user_id")],
                body=_body(
                    {"password": {"type": "string", "minLength": 12, "maxLength": 1024}},
                    ["password"],
                ),
            )
        },
        "/api/coordinator/lines/{line_id}/queue": {
            "get": _operation(
                "Coordinators: the contacts waiting on a line",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"waiting": {"type": "array", "items": _ref("Contact")}},
                        },
                        "The waiting line.",
                    ),
                    "404": _error("No such line."),
                },
                parameters=[_path_id("line_id")],
            )
        },
        "/api/coordinator/lines/{line_id}/board": {
            "get": _operation(
                "Coordinators: who is on shift on a line and in what state, and who waits",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "specialists": {"type": "array", "items": _ref("OnShift")},
                                "waiting": {"type": "array", "items": _ref("Contact")},
                            },
                        },
                        "The line's live board.",
                    ),
                    "404": _error("No such line."),
                },
                parameters=[_path_id("line_id")],
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "warmline dashboard API",
            "version": "1",
            "description": "What the shift dashboard's pages use. Sign in with a session "
            "cookie; every change carries the X-CSRF-Token from GET /api/session.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
    }
