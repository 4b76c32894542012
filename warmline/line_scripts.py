"""A line's own referral and survey scripts: saved only when they keep the script rules."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.crisis.scripts import (
    CHANNELS,
    EDITABLE_KINDS,
    SURVEY_KINDS,
    check_first_words,
    check_script,
    check_survey_script,
    line_script,
)
from warmline.models import Line, LineScript
from warmline.sentences import N_, Refused, Sentence

# The script a caller hears first when the line is closed, while 9 reaches the crisis line.
FIRST_SPOKEN_SCRIPT = ("after_hours", "voice")


class ScriptRefused(Refused):
    """The draft breaks the script rules; the message lists each one."""


def script_problems(text: str, *, kind: str, channel: str, language: str) -> list[Sentence]:
    """List the rules a draft of one of the line's scripts breaks, as saving it would."""
    if kind in SURVEY_KINDS:
        return check_survey_script(text, kind, channel, language)
    problems = check_script(text, channel, language)
    if (kind, channel) == FIRST_SPOKEN_SCRIPT:
        problems += check_first_words(text, language, menu=True)
    return problems


def save(
    session: Session,
    line: Line,
    *,
    kind: str,
    channel: str,
    language: str,
    text: str,
    actor_id: int | None,
) -> LineScript:
    """Use `text` for this line's script from now on, after checking it; audited."""
    if kind not in EDITABLE_KINDS or channel not in CHANNELS or language not in line.languages:
        raise ScriptRefused(N_("choose a kind, a channel and one of the line's languages"))
    line_script(kind, channel, language)  # the script must exist to be replaced
    text = " ".join(text.split())
    if problems := script_problems(text, kind=kind, channel=channel, language=language):
        raise ScriptRefused.of(problems)
    script = _find(session, line, kind, channel, language)
    if script is None:
        script = LineScript(line_id=line.id, kind=kind, channel=channel, language=language)
        line.scripts.append(script)
    script.text = text
    script.updated_by_id = actor_id
    session.flush()
    _audit(session, "script.save", line, actor_id, kind=kind, channel=channel, language=language)
    return script


def reset(
    session: Session, line: Line, *, kind: str, channel: str, language: str, actor_id: int | None
) -> bool:
    """Go back to the shipped script; True if the line had its own."""
    script = _find(session, line, kind, channel, language)
    if script is None:
        return False
    line.scripts.remove(script)
    _audit(session, "script.reset", line, actor_id, kind=kind, channel=channel, language=language)
    return True


def _audit(session: Session, action: str, line: Line, actor_id: int | None, **script: str) -> None:
    audit.record(session, action, "line", line.id, actor_id=actor_id, via="console", detail=script)


def _find(session: Session, line: Line, kind: str, channel: str, language: str):
    return session.scalar(
        select(LineScript).where(
            LineScript.line_id == line.id,
            LineScript.kind == kind,
            LineScript.channel == channel,
            LineScript.language == language,
        )
    )
