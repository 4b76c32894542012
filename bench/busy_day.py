"""A busy day through the simulator: calls and texts, crisis callers, faults, a privacy audit.

    python -m bench.busy_day [--contacts 5000] [--specialists 20] [--faults] [--json PATH]

The whole line runs as production runs it (tests/e2e/stack.py, by way of bench/stack.py):
gunicorn, `warmline worker` processes and the clock, against the Twilio simulator on a manual
clock that this process moves at `--speed` simulated seconds per real second. Callers dial,
hold and talk; texters text and are taken from the dashboard API by specialists who are signed
in and on shift; one contact in twenty is in crisis (a caller presses 9 while waiting, a
texter's first text says so). Specialists' phones answer after one ring and they press 1 on the
whisper; a specialist set on break (a missed offer) goes available again from the dashboard, as
a person would. The app's own timers (ring lease, wrap-up, text timeouts) run on real time.

Afterwards it counts what must be zero: contacts lost (still open, still waiting, or never
recorded), contacts offered to two specialists at once, crisis contacts not referred, callers
who heard an application error; then scans a database dump, every Redis key and value and
every log line for the simulated numbers and the message texts (bench/privacy_audit.py).

`--faults` adds, during the day: a worker killed with SIGKILL every `--kill-every` seconds
(a supervisor starts a new one), Redis stopped and started again, and PostgreSQL unreachable
for 30 s (its loopback proxy drops every connection and refuses new ones).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import random
import shutil
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil
import psycopg
import redis
import requests
from sqlalchemy import select

from bench import privacy_audit
from bench.harness import percentile, write_results
from bench.stack import DayStack, day_stack
from config.settings import TIMERS
from tests.e2e.stack import PASSWORD, holding
from warmline import calls
from warmline.lines import add_line
from warmline.models import Contact, utcnow
from warmline.people import add_user
from warmline.roster import add_shift
from warmline.simulator import APPLICATION_ERROR
from warmline.simulator.phones import Phone

LINE_NUMBER = "+15017122661"
CRISIS_NUMBER = "+15017120988"
# Where a web process that cannot reach the line's settings dials: the 988 Lifeline.
LIFELINE = "+18002738255"
WHISPER = "Press 1 to accept."
# What a specialist hears once their 1 is taken: they, and nobody else, have the caller
# (config/scripts/en.yml, specialist: connecting, calling_back).
ACCEPTED = ("Connecting you now.", "Calling them back now.")
# What a caller hears once the line has taken their request to be called back.
CALLBACK_CONFIRMED = "We will call you back"
CALM_TEXTS = [
    "hi, it has been a rough week, can someone talk?",
    "I feel really lonely tonight and could use someone to listen",
    "work has been so stressful and I can't switch off",
    "my sister and I had a big fight and I keep replaying it",
    "just need to vent for a bit if that's ok",
]
CRISIS_TEXTS = [
    "I want to kill myself tonight",
    "i have pills saved up and i'm going to take them all",
    "I don't want to be alive anymore and I have a plan",
]
# Real seconds between a dashboard's questions about a shift that looks on break or ended.
PRESENCE_ASK_EVERY = 5
# Simulated seconds before a specialist tries again to close a conversation that would not.
CLOSE_AGAIN_AFTER = 10
FOLLOW_UPS = [
    "thanks for answering, it helps to know someone is there",
    "I guess I just needed to hear a kind voice",
    "ok, that makes sense. I'll try a walk tomorrow",
]


class Dashboard:
    """One specialist's browser on the dashboard API."""

    def __init__(self, base_url: str, email: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.csrf = self.http.get(f"{base_url}/api/session", timeout=10).json()["csrf_token"]
        response = self.post("/api/session", {"email": email, "password": PASSWORD})
        response.raise_for_status()
        self.csrf = response.json()["csrf_token"]

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return self.http.post(
            self.base_url + path, json=body, headers={"X-CSRF-Token": self.csrf}, timeout=20
        )

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=20)


@dataclass
class Specialist:
    id: int
    phone: Phone
    dashboard: Dashboard
    seen: int = 0
    texts: set[int] = field(default_factory=set)
    # The contact of the whisper this specialist last pressed 1 on.
    pressed_for: int | None = None
    # When this specialist's dashboard last asked for their shift (monotonic seconds).
    asked_shift: float = 0.0


@dataclass
class Person:
    """A caller or texter and what happened to them, in simulated seconds."""

    index: int
    kind: str  # "call" or "text"
    crisis: bool
    arrives: float
    phone: Phone | None = None
    talk: float = 60.0
    press9_at: float | None = None
    give_up_at: float | None = None
    callback_at: float | None = None
    asked_callback: bool = False
    callback_confirmed: bool = False
    callback_over: bool = False
    started: float | None = None
    connected: float | None = None
    connected_to: str | None = None
    hang_up_at: float | None = None
    signalled: bool = False
    abandoned: bool = False
    ended: bool = False
    bodies: list[str] = field(default_factory=list)
    contact_id: int | None = None
    followed_up: bool = False


@dataclass
class Conversation:
    contact_id: int
    specialist: Specialist
    accepted: float
    close_at: float
    flagged: bool = False


class Day:
    def __init__(self, running: DayStack, options: argparse.Namespace) -> None:
        self.stack = running.line
        self.database = running.database
        self.sim = running.line.sim
        self.clock = running.line.clock
        self.options = options
        self.rng = random.Random(options.seed)
        self.people: list[Person] = []
        self.specialists: list[Specialist] = []
        self.conversations: dict[int, Conversation] = {}
        self.waiting_texts: set[int] = set()
        self.events: Counter[str] = Counter()
        self.timeline: list[dict] = []
        # Who pressed 1 on a whisper for a contact, and whom the app then put through (or
        # gave a text on the dashboard): two in `accepts` for one contact is a double accept.
        self.presses: dict[int, set[int]] = {}
        self.accepts: dict[int, set[int]] = {}
        self.faults: list[dict] = []
        self.real_start = time.monotonic()
        self._last_poll = 0.0
        self._last_presence = 0.0
        self._last_sample = 0.0
        self._last_callbacks = 0.0

    # Setting the line up.

    def set_up(self) -> None:
        services = self.stack.services
        with services.sessions() as session:
            line = add_line(
                session, name="Bench Warm Line", twilio_number=LINE_NUMBER,
                crisis_number=CRISIS_NUMBER, daily_contact_limit=0,
                max_wait_seconds=3600, languages=self.options.languages.split(","),
                **line_timers(self.options),
            )  # fmt: skip
            session.commit()
            self.line_id = line.id
            self.callback_key = calls.callback_key(line.languages)
            users = []
            for index in range(self.options.specialists):
                user = add_user(
                    session, email=f"specialist{index}@example.org",
                    display_name=f"Specialist {index}", password=PASSWORD,
                    phone=f"+1628555{index:04d}",
                )  # fmt: skip
                now = utcnow()
                add_shift(
                    session, line=line, user=user, starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(hours=22),
                )  # fmt: skip
                users.append(user)
            session.commit()
            users = [(user.id, user.email, user.phone) for user in users]
        self.sim.line(LINE_NUMBER)
        self.sim.phone(CRISIS_NUMBER).answers_after(rings=1)
        self.sim.phone(LIFELINE).answers_after(rings=1)
        for user_id, email, number in users:
            dashboard = Dashboard(self.stack.settings.public_url, email)
            response = dashboard.post("/api/shift/start", {"line_id": self.line_id})
            response.raise_for_status()
            phone = self.sim.phone(number).answers_after(rings=1)
            self.specialists.append(Specialist(user_id, phone, dashboard))
        self.by_number = {s.phone.number: s for s in self.specialists}

    def schedule(self) -> None:
        """Plan every arrival: Poisson in simulated time, calls and texts, 5% crisis."""
        at = 0.0
        for index in range(self.options.contacts):
            at += self.rng.expovariate(1 / self.options.interval)
            kind = "text" if self.rng.random() < self.options.text_share else "call"
            crisis = self.rng.random() < self.options.crisis_share
            person = Person(index, kind, crisis, at, talk=self.rng.uniform(20, 120))
            if kind == "call":
                choice = self.rng.random()
                if crisis:
                    person.press9_at = at + self.rng.uniform(8, 40)
                elif choice < self.options.impatient_share:
                    person.give_up_at = at + self.rng.uniform(30, 300)
                elif choice < self.options.impatient_share + self.options.callback_share:
                    person.callback_at = at + self.rng.uniform(5, 30)
            self.people.append(person)

    # The day.

    def number(self, index: int) -> str:
        return f"+1415{2000000 + index:07d}"

    def marker(self, index: int, part: int) -> str:
        # A word nobody else writes, so each message can be found anywhere it is kept.
        return f"kestrel{index}x{part}"

    def run(self) -> None:
        arrivals = iter(self.people)
        upcoming = next(arrivals, None)
        active: list[Person] = []
        self.arrivals_done_real: float | None = None
        drain_deadline: float | None = None
        while True:
            tick_started = time.monotonic()
            self.clock.advance(self.options.step)
            now = self.clock.now()
            limit = self.options.max_real_seconds
            if limit and upcoming is not None and time.monotonic() - self.real_start > limit:
                self.events["arrivals_stopped_at_time_limit"] += 1
                upcoming = None
            while upcoming is not None and upcoming.arrives <= now:
                self.arrive(upcoming)
                active.append(upcoming)
                upcoming = next(arrivals, None)
            if upcoming is None and self.arrivals_done_real is None:
                self.arrivals_done_real = time.monotonic()
                drain_deadline = time.monotonic() + self.options.drain_seconds
            self.match_callers(active)
            self.answer_whispers()
            for person in active:
                self.follow(person, now)
            active = [p for p in active if not p.ended]
            self.take_texts(now)
            self.keep_conversations(now, active)
            self.mind_callbacks(active)
            self.mind_presence()
            self.supervise()
            self.sample(len(active))
            if upcoming is None and not active and not self.conversations:
                break
            if drain_deadline is not None and time.monotonic() > drain_deadline:
                self.events["drain_timed_out"] += 1
                break
            spare = self.options.step / self.options.speed - (time.monotonic() - tick_started)
            if spare > 0:
                time.sleep(spare)
        self.leftover = active

    def arrive(self, person: Person) -> None:
        person.phone = self.sim.phone(self.number(person.index))
        person.started = self.clock.now()
        try:
            if person.kind == "call":
                if person.callback_at is not None:
                    person.phone.answers_after(rings=1)  # picks up when the line calls back
                person.phone.dial(LINE_NUMBER)
                self.events["calls"] += 1
            else:
                pool = CRISIS_TEXTS if person.crisis else CALM_TEXTS
                body = f"{self.rng.choice(pool)} {self.marker(person.index, 1)}"
                person.bodies.append(body)
                person.phone.send_text(LINE_NUMBER, body)
                self.events["texts"] += 1
        except Exception as error:  # a driver failure is a finding, not a crash
            self.events[f"arrival_error:{type(error).__name__}"] += 1

    def match_callers(self, active: list[Person]) -> None:
        """Learn each caller's contact id while the call is live (closing clears its SID)."""
        unmatched = {
            p.phone.calls[0].sid: p
            for p in active
            if p.kind == "call" and p.contact_id is None and p.phone.calls
        }
        if not unmatched:
            return
        try:
            with self.stack.services.sessions() as session:
                found = session.execute(
                    select(Contact.call_sid, Contact.id).where(Contact.call_sid.in_(unmatched))
                ).all()
        except Exception:
            self.events["contact_lookup_failed"] += 1
            return
        for sid, contact_id in found:
            unmatched[sid].contact_id = contact_id

    def answer_whispers(self) -> None:
        for specialist in self.specialists:
            transcript = specialist.phone.transcript
            new, specialist.seen = transcript[specialist.seen :], len(transcript)
            heard = [m.words for m in new if m.kind == "heard"]
            if specialist.pressed_for is not None and any(a in w for a in ACCEPTED for w in heard):
                self.accepts.setdefault(specialist.pressed_for, set()).add(specialist.id)
                specialist.pressed_for = None
            if not any(WHISPER in w for w in heard):
                continue
            call = specialist.phone.call
            if call is None:
                continue
            query = parse_qs(urlsplit(call.url or "").query)
            contact = int(query.get("contact", ["0"])[0])
            self.presses.setdefault(contact, set()).add(specialist.id)
            specialist.pressed_for = contact
            try:
                specialist.phone.press("1")
                self.events["offers_accepted"] += 1
            except RuntimeError:
                self.events["offer_gone_before_press"] += 1

    def follow(self, person: Person, now: float) -> None:
        if person.kind == "text":
            self.follow_texter(person, now)
            return
        phone = person.phone
        try:
            if phone.call is None:
                # Hung up after asking to be called back: still in line until called back.
                waiting_for_callback = person.callback_confirmed and person.connected is None
                if not waiting_for_callback or person.callback_over:
                    person.ended = True
                return
            connected = phone.connected_to
            if connected and person.connected is None:
                person.connected, person.connected_to = now, connected[0]
                if connected[0] == CRISIS_NUMBER:
                    person.hang_up_at = now + 20
                else:
                    person.hang_up_at = now + person.talk
                if len(connected) > 1:
                    self.events["caller_connected_to_two"] += 1
            if person.hang_up_at is not None and now >= person.hang_up_at:
                phone.hang_up()
            elif (
                person.connected is None
                and person.press9_at
                and now >= person.press9_at
                and not person.signalled
                and holding(self.sim, phone)
            ):
                # "Press 9 at any time" while waiting: only Twilio's queue listens for it.
                person.signalled = True
                phone.press("9")
            elif person.connected is None and person.give_up_at and now >= person.give_up_at:
                person.abandoned = True
                phone.hang_up()
            elif (
                person.connected is None
                and person.callback_at
                and now >= person.callback_at
                and not person.asked_callback
                and holding(self.sim, phone)
            ):
                # "To be called back when a peer specialist is free, press 2" (3 on a line of
                # two languages): only Twilio's queue listens for it.
                person.asked_callback = True
                phone.press(self.callback_key)
            elif (
                person.asked_callback
                and not person.callback_confirmed
                and any(CALLBACK_CONFIRMED in words for words in phone.heard)
            ):
                # "You can hang up now."
                person.callback_confirmed = True
                phone.hang_up()
        except RuntimeError:
            self.events["caller_action_on_ended_call"] += 1

    def follow_texter(self, person: Person, now: float) -> None:
        if person.contact_id is None:
            return
        conversation = self.conversations.get(person.contact_id)
        if conversation is None:
            person.ended = True
            return
        if not person.followed_up and now >= conversation.accepted + 10:
            replied = any(t.sender == LINE_NUMBER and "Ref " in t.body for t in person.phone.texts)
            if replied:
                person.followed_up = True
                body = f"{self.rng.choice(FOLLOW_UPS)} {self.marker(person.index, 2)}"
                person.bodies.append(body)
                person.phone.send_text(LINE_NUMBER, body)

    def take_texts(self, now: float) -> None:
        """Specialists on the dashboard take waiting texts when their phone is quiet."""
        if time.monotonic() - self._last_poll < 0.5:
            return
        self._last_poll = time.monotonic()
        try:
            board = self.specialists[0].dashboard.get("/api/queue")
            waiting = [c["id"] for c in board.json()["waiting"] if c["channel"] == "sms"]
        except (requests.RequestException, ValueError, KeyError):
            self.events["queue_poll_failed"] += 1
            return
        free = [
            s for s in self.specialists
            if s.phone.state == "idle" and len(s.texts) < self.options.max_texts
        ]  # fmt: skip
        self.rng.shuffle(free)
        for contact_id in waiting:
            if contact_id in self.conversations or not free:
                continue
            specialist = free.pop()
            try:
                response = specialist.dashboard.post(f"/api/contacts/{contact_id}/accept")
            except requests.RequestException:
                self.events["accept_failed"] += 1
                continue
            if response.status_code != 200:
                self.events[f"accept_{response.status_code}"] += 1
                continue
            self.accepts.setdefault(contact_id, set()).add(specialist.id)
            specialist.texts.add(contact_id)
            self.conversations[contact_id] = Conversation(
                contact_id, specialist, now, now + self.rng.uniform(40, 160)
            )
            with contextlib.suppress(requests.RequestException):
                specialist.dashboard.post(
                    f"/api/contacts/{contact_id}/messages",
                    {"body": f"Hi, I'm here and glad you texted. Ref {contact_id}."},
                )
            self.match_texter(contact_id)

    def match_texter(self, contact_id: int) -> None:
        """Find the texter of a conversation once they receive its first reply."""
        # The reply reaches the texter through a worker; match lazily in keep_conversations.
        self.waiting_texts.add(contact_id)

    def keep_conversations(self, now: float, active: list[Person]) -> None:
        if self.waiting_texts:
            for person in active:
                if person.kind != "text" or person.contact_id is not None or person.phone is None:
                    continue
                for text in person.phone.texts:
                    if text.sender == LINE_NUMBER and "Ref " in text.body:
                        contact_id = int(text.body.rsplit("Ref ", 1)[1].rstrip("."))
                        person.contact_id = contact_id
                        self.waiting_texts.discard(contact_id)
                        break
        for contact_id, conversation in list(self.conversations.items()):
            if now < conversation.close_at:
                continue
            specialist = conversation.specialist
            # A conversation that showed crisis signs is closed with a confirmation, as the
            # dashboard asks for one (409) before it sends the texter the crisis numbers.
            body = {"confirm": True} if conversation.flagged else None
            try:
                response = specialist.dashboard.post(f"/api/contacts/{contact_id}/close", body)
            except requests.RequestException:
                self.events["close_failed"] += 1
                conversation.close_at = now + CLOSE_AGAIN_AFTER
                continue
            if response.status_code == 409:
                self.events["close_409_confirm_asked"] += 1
                conversation.flagged = True
                continue
            if response.status_code not in (200, 404):
                self.events[f"close_{response.status_code}"] += 1
                conversation.close_at = now + CLOSE_AGAIN_AFTER
                continue
            if response.status_code == 404:
                self.events["close_404_already_closed"] += 1
            specialist.texts.discard(contact_id)
            del self.conversations[contact_id]

    def mind_callbacks(self, active: list[Person]) -> None:
        """Stop following a caller waiting for a call back once their contact is closed."""
        if time.monotonic() - self._last_callbacks < 2:
            return
        self._last_callbacks = time.monotonic()
        waiting = {
            p.contact_id: p
            for p in active
            if p.callback_confirmed and p.connected is None and p.contact_id is not None
        }
        if not waiting:
            return
        try:
            with self.stack.services.sessions() as session:
                ended = session.scalars(
                    select(Contact.id).where(Contact.id.in_(waiting), Contact.ended_at.is_not(None))
                ).all()
        except Exception:
            self.events["contact_lookup_failed"] += 1
            return
        for contact_id in ended:
            waiting[contact_id].callback_over = True

    def mind_presence(self) -> None:
        """A specialist set on break, or off shift, by the system goes available again.

        Their state is read from Redis each second in one round trip; only someone who looks
        on break or off shift is asked about on the dashboard (at most every 5 s each), and
        each dashboard asks once a minute anyway, well within the presence grace. Twenty
        dashboard requests every 5 s took longer than 5 s on a loaded machine and stalled the
        day's clock.
        """
        now = time.monotonic()
        if now - self._last_presence < 1:
            return
        self._last_presence = now
        prefix = f"warmline:{{line:{self.line_id}}}:specialist:"
        try:
            with self.stack.services.redis.pipeline(transaction=False) as pipe:
                for specialist in self.specialists:
                    pipe.hget(f"{prefix}{specialist.id}", "status")
                statuses = pipe.execute()
        except redis.RedisError:
            self.events["presence_poll_failed"] += 1
            return
        for specialist, status in zip(self.specialists, statuses, strict=True):
            looks_away = status in (None, b"break")
            due = now - specialist.asked_shift >= (PRESENCE_ASK_EVERY if looks_away else 60)
            if due:
                self.settle_presence(specialist, now)

    def settle_presence(self, specialist: Specialist, now: float) -> None:
        specialist.asked_shift = now
        try:
            shift = specialist.dashboard.get("/api/shift").json()
            # A person on a call or a text does not restart a shift the screen lost.
            if specialist.phone.state != "idle" or specialist.texts:
                return
            if not shift.get("on_shift"):
                self.events["specialist_restarted_shift"] += 1
                specialist.dashboard.post("/api/shift/start", {"line_id": self.line_id})
            elif shift.get("status") == "break":
                self.events[f"specialist_back_from_break:{shift.get('reason')}"] += 1
                specialist.dashboard.post("/api/shift/status", {"status": "available"})
        except (requests.RequestException, ValueError):
            self.events["presence_poll_failed"] += 1

    def supervise(self) -> None:
        """Start again any process that exited, as a platform's supervisor does."""
        processes = self.stack.processes
        for name, process in list(processes.running.items()):
            if process.poll() is None:
                continue
            del processes.running[name]
            self.events[f"restarted:{name.split('-')[0]}"] += 1
            if name.startswith("worker-"):
                processes.start_worker()
            else:
                processes.start(name, processes._commands[name])

    def sample(self, active: int) -> None:
        if time.monotonic() - self._last_sample < 2:
            return
        self._last_sample = time.monotonic()
        try:
            waiting = self.stack.services.redis.zcard(f"warmline:{{line:{self.line_id}}}:waiting")
        except Exception:
            waiting = None
        busy = sum(1 for s in self.specialists if s.phone.state != "idle" or s.texts)
        self.timeline.append({
            "real": time.monotonic() - self.real_start,
            "sim": self.clock.now(),
            "active": active,
            "waiting": waiting,
            "busy_specialists": busy,
        })  # fmt: skip

    # Faults.

    def inject_faults(self, stop: threading.Event) -> None:
        """Kill workers at random; kill a gunicorn worker twice; crash Redis once (it comes
        back from its append-only file); cut PostgreSQL off for 30 s once.

        Each outage comes at its share of the day's arrivals on the simulator's clock, which
        slows when the machine does, so that it lands among callers whatever the speed.
        """
        last_arrival = self.people[-1].arrives if self.people else 0.0
        plan = [
            (0.2, "gunicorn_worker_killed"),
            (0.35, "redis_restart"),
            (0.5, "gunicorn_worker_killed"),
            (0.65, "postgres_unreachable"),
        ]
        next_kill = self.options.kill_every
        started = time.monotonic()
        while not stop.is_set():
            elapsed = time.monotonic() - started
            arriving = self.clock.now() < last_arrival
            if elapsed >= next_kill and arriving:
                next_kill += self.options.kill_every
                pids = self.stack.processes.worker_pids()
                if pids:
                    name, pid = self.rng.choice(sorted(pids.items()))
                    _sigkill_family(pid)
                    self.faults.append({"at": elapsed, "fault": "sigkill", "process": name})
                    # Only the supervisor (self.supervise) starts another: two that both did
                    # would add a worker at every kill.
            if plan and self.clock.now() >= plan[0][0] * last_arrival:
                _, fault = plan.pop(0)
                began = time.monotonic()
                simulated = self.clock.now()
                detail = {}
                if fault == "gunicorn_worker_killed":
                    detail = self.kill_web_worker()
                elif fault == "redis_restart":
                    # A crash, not a shutdown: Redis comes back from what its append-only
                    # file had (fsync every second), as the README says to run it.
                    self.stack.redis.crash()
                    time.sleep(3)
                    self.stack.redis.start()
                else:
                    self.database.cut()
                    time.sleep(30)
                    self.database.restore()
                self.faults.append({
                    "at": elapsed, "simulated_at": simulated, "fault": fault,
                    "seconds": time.monotonic() - began, **detail,
                })  # fmt: skip
            stop.wait(0.5)

    def kill_web_worker(self) -> dict:
        """SIGKILL one of gunicorn's worker processes; its master starts another."""
        web = self.stack.processes.running.get("web")
        try:
            workers = psutil.Process(web.pid).children() if web else []
        except psutil.Error:
            workers = []
        if not workers:
            return {"killed": None}
        victim = self.rng.choice(workers)
        with contextlib.suppress(psutil.Error):
            victim.send_signal(signal.SIGKILL)
        return {"killed": victim.pid}

    # What must be zero.

    def check(self) -> dict:
        services = self.stack.services
        with services.sessions() as session:
            contacts = list(session.scalars(select(Contact).where(Contact.line_id == self.line_id)))
            rows = [
                {
                    "id": c.id,
                    "channel": str(c.channel),
                    "outcome": str(c.outcome),
                    "call_sid": c.call_sid,
                    "crisis_tier": c.crisis_tier,
                    "referred": c.crisis_referred_at is not None,
                    "ended": c.ended_at is not None,
                    "wait_seconds": c.wait_seconds,
                    "specialist_id": c.specialist_id,
                }
                for c in contacts
            ]
        by_id = {row["id"]: row for row in rows}
        callers = [p for p in self.people if p.kind == "call" and p.phone is not None]
        texters = [p for p in self.people if p.kind == "text" and p.phone is not None]

        lost = []
        for person in callers:
            row = by_id.get(person.contact_id)
            if row is None:
                if person.connected_to in (CRISIS_NUMBER, LIFELINE) and not person.abandoned:
                    self.events["sent_to_help_without_a_record"] += 1
                    continue
                lost.append({
                    "who": person.index,
                    "why": "no contact recorded for the call",
                    "connected_to": person.connected_to,
                    "heard": person.phone.heard[:3],
                })  # fmt: skip
            elif not row["ended"] or row["outcome"] == "open":
                lost.append({"who": person.index, "why": f"contact {row['id']} still open"})
            elif (
                person.connected is None
                and not person.abandoned
                and not person.signalled
                and row["outcome"] not in ("crisis_referred", "overflow")
            ):
                lost.append({"who": person.index, "why": f"never connected: {row['outcome']}"})
        live_prefix = f"warmline:{{line:{self.line_id}}}:"
        redis_client = self.stack.services.redis
        for person in self.leftover:
            lost.append({
                "who": person.index,
                "why": (
                    "texter never taken by a specialist"
                    if person.kind == "text"
                    else "waiting for a call back when the day was drained"
                    if person.callback_confirmed
                    else "still holding when the day was drained"
                ),
                "contact": by_id.get(person.contact_id),
                "live": {
                    k.decode(): v.decode()
                    for k, v in redis_client.hgetall(
                        f"{live_prefix}contact:{person.contact_id}"
                    ).items()
                },
                "accepted": person.contact_id is not None
                and redis_client.zscore(f"{live_prefix}accepted", person.contact_id),
                "accepted_by": sorted(self.accepts.get(person.contact_id or 0, ())),
                "heard": person.phone.heard[-3:],
                "phone": person.phone.state,
                "connected_to": person.phone.connected_to,
                "last": [(m.at, m.kind, m.words[:60]) for m in person.phone.transcript[-4:]],
            })  # fmt: skip
        specialist_states = {
            s.id: {
                **{
                    k.decode(): v.decode()
                    for k, v in redis_client.hgetall(f"{live_prefix}specialist:{s.id}").items()
                },
                "phone": s.phone.state,
                "connected_to": s.phone.connected_to,
                "call_url": (s.phone.call.url or "") if s.phone.call else "",
                "texts": sorted(s.texts),
            }
            for s in self.specialists
        }
        sms_rows = [row for row in rows if row["channel"] == "sms"]
        for row in sms_rows:
            if not row["ended"] or row["outcome"] == "open":
                lost.append({"who": f"contact {row['id']}", "why": "text conversation still open"})
            elif row["specialist_id"] is None and not row["referred"]:
                lost.append({
                    "who": f"contact {row['id']}",
                    "why": f"text never taken, outcome {row['outcome']}",
                })  # fmt: skip
        if len(sms_rows) < len(texters):
            lost.append({
                "who": "texters",
                "why": f"{len(texters)} texters, {len(sms_rows)} text contacts recorded",
            })  # fmt: skip
        live_left = {
            kind: self.stack.services.redis.zcard(f"warmline:{{line:{self.line_id}}}:{kind}")
            for kind in ("waiting", "offered")
        }

        # Offers: every specialist leg the simulator carried, by contact and by specialist.
        legs = []
        with self.sim.lock:
            for call in self.sim.calls.values():
                if call.direction == "inbound" or "offer/whisper" not in (call.url or ""):
                    continue
                query = parse_qs(urlsplit(call.url).query)
                ended = call.ended_at if call.ended_at is not None else self.clock.now()
                legs.append((
                    int(query["contact"][0]), int(query["specialist"][0]),
                    call.created_at, ended,
                ))  # fmt: skip
        double_offers = _overlaps(legs, key=0, other=1)
        specialist_double = _overlaps(legs, key=1, other=0)
        double_accepts = {c: sorted(s) for c, s in self.accepts.items() if len(s) > 1}

        crisis_not_referred = []
        for person in callers:
            if not person.signalled:
                continue
            row = by_id.get(person.contact_id)
            if row is None and person.connected_to in (CRISIS_NUMBER, LIFELINE):
                continue  # the safety net dialled help while the database was down
            if row is None or not row["referred"] or person.connected_to != CRISIS_NUMBER:
                crisis_not_referred.append({
                    "who": person.index,
                    "row": row and {k: row[k] for k in ("id", "outcome", "referred")},
                    "connected_to_crisis_line": person.connected_to == CRISIS_NUMBER,
                })  # fmt: skip
        crisis_texters = [p for p in texters if p.crisis]
        crisis_flagged = (
            sum(p.signalled for p in callers)
            + len(crisis_texters)
            + sum(1 for row in sms_rows if row["crisis_tier"] > 0)
        )
        for person in crisis_texters:
            got = [t.body for t in person.phone.texts if t.sender == LINE_NUMBER]
            if not any("988" in body for body in got):
                crisis_not_referred.append({"who": person.index, "why": "no referral text"})
        for row in sms_rows:
            if row["crisis_tier"] > 0 and not row["referred"]:
                crisis_not_referred.append({"who": f"contact {row['id']}", "why": "not referred"})

        callbacks = self.callbacks(callers, by_id)

        heard_error = [
            number for number, phone in self.sim.phones.items() if APPLICATION_ERROR in phone.heard
        ]
        callers_heard_error = [p.index for p in callers if APPLICATION_ERROR in p.phone.heard]

        waits_sim = [p.connected - p.started for p in callers if p.connected_to in self.by_number]
        waits_db = [r["wait_seconds"] for r in rows if r["channel"] == "voice"
                    and r["outcome"] == "answered" and r["wait_seconds"] is not None]  # fmt: skip
        text_waits = [r["wait_seconds"] for r in sms_rows if r["wait_seconds"] is not None]
        outcomes = Counter((row["channel"], row["outcome"]) for row in rows)
        answered_calls = sum(1 for p in callers if p.connected_to in self.by_number)
        plain_calls = [p for p in callers if not p.signalled and not p.abandoned]
        return {
            "people": {"callers": len(callers), "texters": len(texters)},
            "crisis": {
                "callers_signalled": sum(p.signalled for p in callers),
                "texters": len(crisis_texters),
            },
            "outcomes": {f"{c}:{o}": n for (c, o), n in sorted(outcomes.items())},
            "answer_rate_calls": answered_calls / max(1, len(callers)),
            "answer_rate_calls_that_held": (
                sum(1 for p in plain_calls if p.connected_to in self.by_number)
                / max(1, len(plain_calls))
            ),
            "abandoned_by_choice": sum(p.abandoned for p in callers),
            "texts_taken": sum(1 for row in sms_rows if row["specialist_id"] is not None),
            "wait_sim_seconds": _summary(waits_sim),
            "wait_db_seconds": _summary(waits_db),
            "text_wait_db_seconds": _summary(text_waits),
            "zero": {
                "contacts_lost": len(lost),
                "offered_to_two_specialists_at_once": len(double_offers),
                "specialist_offered_two_at_once": len(specialist_double),
                "accepted_by_two_specialists": len(double_accepts),
                "crisis_not_referred": len(crisis_not_referred),
                "callers_who_heard_application_error": len(callers_heard_error),
                "callbacks_lost": len(callbacks["lost"]),
            },
            "crisis_referred_share": (
                1 - len(crisis_not_referred) / crisis_flagged if crisis_flagged else None
            ),
            "callbacks": {k: v for k, v in callbacks.items() if k != "lost"},
            "details": {
                "lost": lost[:50],
                "double_offers": double_offers[:20],
                "specialist_double": specialist_double[:20],
                "double_accepts": list(double_accepts.items())[:20],
                "double_presses": sum(1 for s in self.presses.values() if len(s) > 1),
                "callbacks_lost": callbacks["lost"][:20],
                "crisis_not_referred": crisis_not_referred[:20],
                "phones_that_heard_application_error": heard_error[:20],
                "live_state_left": live_left,
                "specialists_at_end": specialist_states,
                "simulator_errors": Counter(code for _sid, code, _url in self.sim.errors),
            },
            "events": dict(self.events),
            "faults": self.faults,
            "timeline": self.timeline,
        }

    def callbacks(self, callers: list[Person], by_id: dict[int, dict]) -> dict:
        """Callers who asked to be called back: confirmed, called, put through, or lost.

        Every caller's phone answers a call back, so one confirmed and not put through to a
        specialist is lost, whatever the record says.
        """
        pressed = [p for p in callers if p.asked_callback]
        confirmed = [p for p in pressed if p.callback_confirmed]
        placed = [p for p in confirmed if len(p.phone.calls) > 1]
        reached = [p for p in confirmed if p.connected_to in self.by_number]
        lost = [
            {
                "who": p.index,
                "calls_back": len(p.phone.calls) - 1,
                "row": by_id.get(p.contact_id),
                "last": [(m.at, m.kind, m.words[:60]) for m in p.phone.transcript[-4:]],
            }
            for p in confirmed
            if p.connected_to not in self.by_number
        ]
        return {
            "pressed": len(pressed),
            "asked": len(confirmed),
            "placed": len(placed),
            "reached": len(reached),
            "calls_back_placed": sum(len(p.phone.calls) - 1 for p in placed),
            "not_taken_line_full_or_answered_first": len(pressed) - len(confirmed),
            "lost": lost,
        }


def _sigkill_family(pid: int) -> None:
    """SIGKILL a process and everything it forked (an RQ work horse, its scheduler)."""
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in family:
        with contextlib.suppress(psutil.Error):
            process.send_signal(signal.SIGKILL)


def _overlaps(legs: list[tuple], *, key: int, other: int) -> list[dict]:
    """Pairs of legs for the same `key` (contact or specialist) that rang at the same time."""
    grouped: dict[int, list[tuple]] = {}
    for leg in legs:
        grouped.setdefault(leg[key], []).append(leg)
    found = []
    for owner, items in grouped.items():
        items.sort(key=lambda leg: leg[2])
        for first, second in itertools.pairwise(items):
            if second[2] < first[3] and first[other] != second[other]:
                found.append({"owner": owner, "legs": [first, second]})
    return found


def _summary(samples: list[float]) -> dict:
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50": percentile(samples, 0.5),
        "p90": percentile(samples, 0.9),
        "p99": percentile(samples, 0.99),
        "max": max(samples),
        "mean": sum(samples) / len(samples),
    }


def memory(running: DayStack) -> dict[str, dict]:
    """The resident memory (RSS, bytes) of every process of the line, by name, with its pid.

    gunicorn's master and each of its workers; each `warmline worker` and the clock (their
    short-lived forks, RQ's work horses, are not counted); Redis; and the PostgreSQL backends
    serving the day's database, as one total (the pool opens and closes them).
    """
    found: dict[str, dict] = {}
    stack = running.line
    named = [(name, process.pid) for name, process in list(stack.processes.running.items())]
    if stack.redis.pid is not None:
        named.append(("redis", stack.redis.pid))
    for name, pid in named:
        try:
            process = psutil.Process(pid)
            found[name] = {"pid": pid, "rss": process.memory_info().rss}
            if name == "web":
                for child in sorted(process.children(), key=lambda c: c.pid):
                    found[f"web-worker-{child.pid}"] = {
                        "pid": child.pid, "rss": child.memory_info().rss,
                    }  # fmt: skip
        except psutil.Error:
            continue
    try:
        with psycopg.connect(running.database_direct_url, connect_timeout=5) as connection:
            pids = [
                row[0]
                for row in connection.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ]
    except psycopg.Error:
        pids = []
    backends = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            backends.append(psutil.Process(pid).memory_info().rss)
    if backends:
        found["postgres-backends"] = {"pid": None, "count": len(backends), "rss": sum(backends)}
    return found


def memory_sampler(
    running: DayStack, samples: list[dict], stop: threading.Event, every: float
) -> None:
    """Sample `memory` every `every` seconds, from the start."""
    started = time.monotonic()
    while True:
        samples.append({"t": time.monotonic() - started, "processes": memory(running)})
        if stop.wait(every):
            return


def process_timers(options: argparse.Namespace) -> dict[str, int]:
    """The app's process-level timers (config/settings.py, TIMERS) for the compressed day.

    Each production default is divided by `--speed`, so that it lasts as long on the
    simulator's clock as it would on a real day, but never below what the setting allows.
    `--production-timers` keeps the defaults.
    """
    if options.production_timers:
        return {}
    return {
        name: max(timer.least, round(timer.default / options.speed))
        for name, timer in TIMERS.items()
    }


def line_timers(options: argparse.Namespace) -> dict[str, int]:
    """The line's own timers, which a coordinator sets in the console, for the compressed day.

    The ring timeout stays the production default: Twilio (the simulator) rings on the
    simulator's clock, and the offer lease, on real time, is longer still. Wrap-up is
    `--wrap-up` real seconds; the recovery break and the call-back retry are divided by
    `--speed` (no lower than the console allows). The text timeouts (a reminder every 5
    minutes, 30 minutes idle) are longer than the day's conversations, which specialists close
    themselves, and stay as they are.
    """
    if options.production_timers:
        return {"wrap_up_seconds": options.wrap_up}
    return {
        "wrap_up_seconds": options.wrap_up,
        "recovery_seconds": round(300 / options.speed),
        "callback_retry_seconds": max(10, round(180 / options.speed)),
    }


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--specialists", type=int, default=20)
    parser.add_argument("--interval", type=float, default=5.0,
                        help="mean simulated seconds between arrivals")  # fmt: skip
    parser.add_argument("--speed", type=float, default=10.0,
                        help="simulated seconds per real second")  # fmt: skip
    parser.add_argument("--step", type=float, default=1.0, help="simulated seconds per tick")
    parser.add_argument("--text-share", type=float, default=0.3)
    parser.add_argument("--crisis-share", type=float, default=0.05)
    parser.add_argument("--impatient-share", type=float, default=0.1)
    parser.add_argument("--callback-share", type=float, default=0.1,
                        help="callers who ask to be called back if still waiting")  # fmt: skip
    parser.add_argument("--languages", default="en",
                        help="the line's: en (call back on 2), en,es (on 3)")  # fmt: skip
    parser.add_argument("--production-timers", action="store_true",
                        help="keep the app's timers at their defaults")  # fmt: skip
    parser.add_argument("--max-texts", type=int, default=2)
    parser.add_argument("--wrap-up", type=int, default=2, help="the line's wrap-up, real seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-seconds", type=float, default=300)
    parser.add_argument("--max-real-seconds", type=float, default=0,
                        help="stop arrivals after this many real seconds (0: never)")  # fmt: skip
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--kill-every", type=float, default=40.0)
    parser.add_argument("--no-audit", action="store_true")
    parser.add_argument("--seed", type=int, default=988)
    parser.add_argument("--keep-logs", type=Path, help="copy the processes' logs here")
    parser.add_argument("--json", type=Path)
    return parser


def run(options: argparse.Namespace, *, rss_every: float | None = None) -> dict:
    timers = process_timers(options)
    with day_stack(workers=options.workers, timers=timers) as running:
        day = Day(running, options)
        day.set_up()
        day.schedule()
        stop = threading.Event()
        helpers = []
        rss: list[dict] = []
        if options.faults:
            helpers.append(threading.Thread(target=day.inject_faults, args=(stop,), daemon=True))
        if rss_every:
            helpers.append(
                threading.Thread(
                    target=memory_sampler, args=(running, rss, stop, rss_every), daemon=True
                )
            )
        for helper in helpers:
            helper.start()
        started = time.monotonic()
        try:
            day.run()
        finally:
            stop.set()
            for helper in helpers:
                helper.join(timeout=60)
        real_seconds = time.monotonic() - started
        # Let the last status callbacks and jobs land before counting.
        time.sleep(5)
        result = day.check()
        result["real_seconds"] = real_seconds
        result["arrivals_real_seconds"] = (day.arrivals_done_real or time.monotonic()) - started
        result["simulated_seconds"] = running.line.clock.now()
        result["options"] = {k: str(v) for k, v in vars(options).items()}
        result["timers"] = {"process": timers, "line": line_timers(options)}
        result["rss"] = rss
        if options.keep_logs:
            shutil.copytree(running.line.processes.directory, options.keep_logs, dirs_exist_ok=True)
        if not options.no_audit:
            result["privacy"] = privacy_audit.audit(
                running,
                numbers=[p.phone.number for p in day.people if p.phone is not None],
                texts=[body for p in day.people for body in p.bodies],
                markers=[day.marker(p.index, part) for p in day.people for part in (1, 2)
                         if p.kind == "text" and p.phone is not None],
            )  # fmt: skip
            result["zero"]["privacy_hits"] = sum(result["privacy"]["hit_counts"].values())
        return result


def report(result: dict) -> None:
    print(json.dumps({k: result[k] for k in ("people", "crisis", "outcomes", "zero")}, indent=1))
    print(f"answer rate (calls): {result['answer_rate_calls']:.1%}; of callers who held: "
          f"{result['answer_rate_calls_that_held']:.1%}")  # fmt: skip
    print(f"wait (simulated s): {result['wait_sim_seconds']}")
    print(f"crisis-flagged contacts referred: {result['crisis_referred_share']}")
    print(f"callbacks: {result['callbacks']}")
    print(f"timers: {result['timers']}")
    print(f"events: {result['events']}")
    print(f"faults: {result['faults']}")
    print(f"details: {json.dumps(result['details'], default=str)[:3000]}")
    if "privacy" in result:
        print(f"privacy: {json.dumps(result['privacy']['hits'], default=str)}")
    print(f"real {result['real_seconds']:.0f} s, simulated {result['simulated_seconds']:.0f} s")


def save(result: dict, path: Path | None) -> None:
    """Write the figures as JSON to `path`, when there is one."""
    if path is not None:
        write_results(path, result)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options = parser().parse_args()
    result = run(options)
    report(result)
    save(result, options.json)


if __name__ == "__main__":
    main()
