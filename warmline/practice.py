"""Practice calls for training: a trainer plays a caller, a specialist in training answers.

A coordinator marks a specialist in training (`User.in_training`): from then on the line
offers them practice calls only, and never a practice call to anyone else. A trainer (a
coordinator or supervisor of the line) sets one up from the console: a scenario, the trainee,
and a phone of the line's people the trainer will call from. The next call from that phone
to the line within `WINDOW` is the practice call: it goes through the line's own flow
(greeting, queue, whisper, conference) to that trainee alone, is marked `Contact.practice`,
and counts in no report. The phone is kept only as its caller tag, and only until the call
arrives. Afterwards the trainer ticks the scenario's debrief checklist: ticks only.

Scenarios are data, config/practice/*.yml, checked when they are loaded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from importlib.abc import Traversable

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit, calls, people, privacy, supervision
from warmline.lines import coordinators_of
from warmline.models import INTERFACE_LANGUAGES, LANGUAGE_CODE, Line, PracticeCall, User
from warmline.sentences import N_, Refused

# How long after the trainer sets a practice call up their phone's next call is it.
WINDOW = timedelta(minutes=10)
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MOST_DEBRIEF_ITEMS = 12
RECENT = 20


class ScenarioError(ValueError):
    """A scenario file that cannot be used, and where it goes wrong."""


@dataclass(frozen=True)
class DebriefItem:
    key: str
    # The item's words in each language the console is written in.
    words: Mapping[str, str]


@dataclass(frozen=True)
class Scenario:
    key: str
    # The language the caller speaks: a line offers the scenarios in its languages.
    language: str
    title: Mapping[str, str]
    # What the trainer plays.
    brief: Mapping[str, str]
    debrief: tuple[DebriefItem, ...]

    def item_keys(self) -> list[str]:
        return [item.key for item in self.debrief]


def _words(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} needs words in {', '.join(INTERFACE_LANGUAGES)}")
    for language in INTERFACE_LANGUAGES:
        words = value.get(language)
        if not isinstance(words, str) or not words.strip():
            raise ScenarioError(f"{where} has no words in {language!r}")
    unknown = sorted(set(value) - set(INTERFACE_LANGUAGES))
    if unknown:
        raise ScenarioError(f"{where} is in languages the console is not: {', '.join(unknown)}")
    return {language: " ".join(value[language].split()) for language in INTERFACE_LANGUAGES}


def parse_scenario(name: str, document: object) -> Scenario:
    """Check one scenario file's document; raise ScenarioError saying what is wrong, and where."""
    if not isinstance(document, dict):
        raise ScenarioError(f"{name}: a scenario is a mapping of key, language, title, ...")
    key = document.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise ScenarioError(f"{name}: key must be lower-case letters, digits and _")
    if name != f"{key}.yml":
        raise ScenarioError(f"{name}: the file of scenario {key!r} is named {key}.yml")
    language = document.get("language")
    if not isinstance(language, str) or not LANGUAGE_CODE.match(language):
        raise ScenarioError(f"{name}: language must be a code such as 'en'")
    items = document.get("debrief")
    if not isinstance(items, list) or not 1 <= len(items) <= MOST_DEBRIEF_ITEMS:
        raise ScenarioError(f"{name}: debrief is a list of 1 to {MOST_DEBRIEF_ITEMS} items")
    debrief = []
    for number, item in enumerate(items, start=1):
        where = f"{name}: debrief item {number}"
        if not isinstance(item, dict) or not KEY.match(str(item.get("key", ""))):
            raise ScenarioError(f"{where} needs a key of lower-case letters, digits and _")
        words = {code: text for code, text in item.items() if code != "key"}
        debrief.append(DebriefItem(item["key"], _words(words, where)))
    keys = [item.key for item in debrief]
    if len(set(keys)) != len(keys):
        raise ScenarioError(f"{name}: two debrief items have the same key")
    unknown = sorted(set(document) - {"key", "language", "title", "brief", "debrief"})
    if unknown:
        raise ScenarioError(f"{name}: unknown field(s) {', '.join(unknown)}")
    return Scenario(
        key=key,
        language=language,
        title=_words(document.get("title"), f"{name}: title"),
        brief=_words(document.get("brief"), f"{name}: brief"),
        debrief=tuple(debrief),
    )


def load_scenarios(folder: Traversable) -> dict[str, Scenario]:
    """Load and check every scenario in a folder, by key."""
    found = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".yml"):
            try:
                document = yaml.safe_load(path.read_text("utf-8"))
            except yaml.YAMLError as error:
                raise ScenarioError(f"{path.name}: not YAML ({error})") from error
            scenario = parse_scenario(path.name, document)
            found[scenario.key] = scenario
    return found


@functools.cache
def scenarios() -> dict[str, Scenario]:
    """Return the scenarios config/practice ships, loaded and checked once."""
    return load_scenarios(resources.files("config").joinpath("practice"))


def scenarios_for(line: Line) -> list[Scenario]:
    """Return the scenarios a line can practise: those whose caller speaks one of its languages."""
    return [s for s in scenarios().values() if s.language in line.languages]


def may_train(session: Session, user: User, line_id: int) -> bool:
    """Whether someone may place practice calls on a line: a coordinator or supervisor of it."""
    coordinated = people.coordinated_lines(session, user)
    runs = coordinated is None or line_id in coordinated
    return user.active and (runs or supervision.serves(session, user, line_id))


def trainees(session: Session, line_id: int) -> list[User]:
    """Return the line's active specialists in training, by name."""
    return [u for u in people.specialists_of(session, line_id) if u.in_training and u.active]


def caller_phones(session: Session, line_id: int, trainer: User) -> list[User]:
    """Return the people whose phone a practice call may come from: the trainer and the line's
    specialists and coordinators, with a phone. Never any other number, so that a real caller
    is never taken for a practice call."""
    staff = [trainer, *people.specialists_of(session, line_id), *coordinators_of(session, line_id)]
    found = {u.id: u for u in staff if u.active and u.phone}
    return sorted(found.values(), key=lambda u: (u.display_name, u.id))


def open_practice(
    session: Session,
    *,
    line: Line,
    trainer: User,
    trainee_id: int,
    scenario_key: str,
    caller_id: int,
    caller_key: str,
    at: datetime,
) -> PracticeCall:
    """Set up a practice call: the next call from the phone of `caller_id` (one of
    `caller_phones`) within WINDOW is it. Audited.

    The phone is kept as its caller tag under `caller_key`, as a real caller's would be. A
    practice call already waiting for that phone on this line is replaced.
    """
    if not may_train(session, trainer, line.id):
        raise Refused(N_("only a coordinator or supervisor of the line places practice calls"))
    scenario = scenarios().get(scenario_key)
    if scenario is None or scenario.language not in line.languages:
        raise Refused(N_("no such practice scenario on this line"))
    if trainee_id not in {u.id for u in trainees(session, line.id)}:
        raise Refused(N_("choose a specialist of the line who is in training"))
    phones = {u.id: u.phone for u in caller_phones(session, line.id, trainer)}
    if caller_id not in phones:
        raise Refused(N_("a practice call comes from the phone of one of the line's people"))
    if caller_id == trainee_id:
        raise Refused(N_("the trainee cannot call themselves"))
    caller_tag = privacy.caller_tag(phones[caller_id], caller_key)
    for earlier in calls.practice_waiting(session, line.id, caller_tag, at):
        earlier.expires_at = at
        earlier.caller_tag = None
    practice = PracticeCall(
        line_id=line.id,
        trainer_id=trainer.id,
        trainee_id=trainee_id,
        scenario=scenario.key,
        caller_tag=caller_tag,
        opened_at=at,
        expires_at=at + WINDOW,
        debrief=[],
    )
    session.add(practice)
    session.flush()
    audit.record(
        session,
        "practice.open",
        "practice_call",
        practice.id,
        actor_id=trainer.id,
        via="console",
        detail={"line_id": line.id, "user_id": trainee_id, "scenario": scenario.key},
    )
    return practice


def recent(session: Session, line_id: int) -> list[PracticeCall]:
    """Return the line's latest practice calls, newest first."""
    return list(
        session.scalars(
            select(PracticeCall)
            .where(PracticeCall.line_id == line_id)
            .order_by(PracticeCall.opened_at.desc(), PracticeCall.id.desc())
            .limit(RECENT)
        )
    )


def tick_debrief(
    session: Session, practice: PracticeCall, ticked: Iterable[str], *, trainer: User, at: datetime
) -> list[str]:
    """Keep the debrief items the trainer ticked after a practice call; return them. Audited."""
    if not may_train(session, trainer, practice.line_id):
        raise Refused(N_("only a coordinator or supervisor of the line debriefs practice calls"))
    if practice.contact_id is None:
        raise Refused(N_("this practice call has not been made yet"))
    scenario = scenarios().get(practice.scenario)
    keys = scenario.item_keys() if scenario else []
    chosen = set(ticked)
    if not chosen <= set(keys):
        raise Refused(N_("tick only the items of the scenario's debrief"))
    practice.debrief = [key for key in keys if key in chosen]
    practice.debriefed_at = at
    audit.record(
        session,
        "practice.debrief",
        "practice_call",
        practice.id,
        actor_id=trainer.id,
        via="console",
        detail={"line_id": practice.line_id, "user_id": practice.trainee_id},
    )
    return practice.debrief
