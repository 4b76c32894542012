"""The /simulator page: phones a person can use to ring, text and answer the line (demo only)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for

from warmline.simulator.engine import Simulator

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
KEYPAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]
TRANSCRIPT_LINES = 40
# A phone's transcript starts afresh with each call it makes or receives.
CALL_STARTS = frozenset({"dialled", "ringing"})

bp = Blueprint(
    "simulator_page",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
)


def _simulator() -> Simulator:
    return current_app.extensions["simulator"]


def _this_call(transcript: list) -> list:
    """The moments since the phone's latest call began (all of them before its first call)."""
    starts = [index for index, moment in enumerate(transcript) if moment.kind in CALL_STARTS]
    return transcript[starts[-1] if starts else 0 :][-TRANSCRIPT_LINES:]


def _number(raw: str) -> str:
    number = re.sub(r"[\s().-]", "", raw)
    if number.isdigit():
        number = "+" + number
    if not E164.match(number):
        abort(400, "Phone numbers look like +14155550123.")
    return number


@bp.get("/")
def index():
    """Show every phone: its state, what it heard, a keypad, a speech box and its texts."""
    sim = _simulator()
    names = current_app.extensions["simulator_names"]
    with sim.lock:
        phones = [
            {
                "number": phone.number,
                "name": names.get(phone.number, ""),
                "state": phone.state,
                "connected_to": phone.connected_to,
                "transcript": _this_call(phone.transcript),
                "texts": list(phone.texts),
                "rings": phone.rings_before_answer,
            }
            for phone in sim.phones.values()
        ]
        lines = sorted(sim.lines)
    return render_template(
        "simulator/page.html",
        phones=phones,
        lines=lines,
        keypad=KEYPAD,
        error=request.args.get("error", ""),
    )


@bp.post("/phones")
def add_phone():
    """Add a phone to the page."""
    _simulator().phone(_number(request.form.get("number", "")))
    return redirect(url_for(".index"))


@bp.post("/phones/<number>/<action>")
def act(number: str, action: str):
    """Do one thing with a phone, then show the page again."""
    sim = _simulator()
    phone = sim.phone(_number(number))
    form = request.form
    try:
        if action == "dial":
            phone.dial(_number(form.get("to", "")))
        elif action == "answer":
            phone.answer()
        elif action == "decline":
            phone.decline()
        elif action == "hang-up":
            phone.hang_up()
        elif action == "press":
            phone.press("".join(key for key in form.get("digits", "") if key in KEYPAD))
        elif action == "say":
            phone.say(form.get("words", "").strip())
        elif action == "text":
            phone.send_text(_number(form.get("to", "")), form.get("body", ""))
        elif action == "auto-answer":
            rings = form.get("rings", "").strip()
            if rings.isdigit():
                phone.answers_after(int(rings))
            else:
                phone.never_answers()
        else:
            abort(404)
    except RuntimeError as error:
        return redirect(url_for(".index", error=str(error)))
    return redirect(url_for(".index") + f"#phone-{phone.number[1:]}")


def init_app(app: Flask, sim: Simulator, names: Mapping[str, str] | None = None) -> None:
    """Serve the /simulator page for `sim` on `app`; only ever in demo mode.

    `names` label phones by whose they are (number -> name); each named phone is on the page
    from the start.
    """
    app.extensions["simulator"] = sim
    app.extensions["simulator_names"] = dict(names or {})
    for number in app.extensions["simulator_names"]:
        sim.phone(number)
    app.register_blueprint(bp)
