"""The durable record: people, roster, settings and non-identifying contact metadata."""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from warmline import voices, wording
from warmline.phones import to_e164
from warmline.sentences import N_, Refused

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# The languages the dashboard and console are written in (warmline/translations), English first.
INTERFACE_LANGUAGES = ("en", "es")
CALLER_TAG = re.compile(r"^[0-9a-f]{64}$")
HOURS_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
DEFAULT_WRAP_UP_TOPICS = (
    "loneliness",
    "anxiety or stress",
    "low mood",
    "relationships or family",
    "housing or money",
    "work or school",
    "substance use",
    "grief or loss",
    "physical health",
    "resources and referrals",
    "other",
)
MAX_TOPIC_LENGTH = 60
MAX_TOPICS = 30


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, hand back aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RoutingStrategy(enum.StrEnum):
    LONGEST_IDLE = "longest_idle"
    RING_ALL = "ring_all"
    ROUND_ROBIN = "round_robin"


class Role(enum.StrEnum):
    SPECIALIST = "specialist"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Channel(enum.StrEnum):
    VOICE = "voice"
    SMS = "sms"


class Outcome(enum.StrEnum):
    """How a contact ended; `open` while it is still live."""

    OPEN = "open"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    AFTER_HOURS = "after_hours"
    BLOCKED = "blocked"
    LIMITED = "limited"
    CRISIS_REFERRED = "crisis_referred"
    OVERFLOW = "overflow"
    OPTED_OUT = "opted_out"
    FAILED = "failed"
    # A caller who asked to be called back and answered neither try.
    CALLBACK_NOT_REACHED = "callback_not_reached"


def _validate_languages(languages: list[str]) -> list[str]:
    if not languages or not all(LANGUAGE_CODE.match(code) for code in languages):
        raise Refused(N_("languages must be a non-empty list of ISO 639 codes such as 'en'"))
    return list(dict.fromkeys(languages))


class Line(Base):
    """One warm line: its Twilio number and everything a coordinator sets for it."""

    __tablename__ = "lines"
    __table_args__ = (
        CheckConstraint("ring_timeout_seconds BETWEEN 5 AND 120", name="ring_timeout"),
        CheckConstraint("wrap_up_seconds BETWEEN 0 AND 3600", name="wrap_up"),
        CheckConstraint("max_wait_seconds BETWEEN 60 AND 7200", name="max_wait"),
        CheckConstraint("daily_contact_limit >= 0", name="daily_limit"),
        CheckConstraint("retention_days BETWEEN 1 AND 3650", name="retention"),
        CheckConstraint("max_texts_per_specialist BETWEEN 1 AND 10", name="max_texts"),
        CheckConstraint("text_inactivity_minutes BETWEEN 5 AND 1440", name="text_inactivity"),
        CheckConstraint("text_reminder_minutes BETWEEN 1 AND 120", name="text_reminder"),
        CheckConstraint("crisis_carry_hours BETWEEN 0 AND 168", name="crisis_carry"),
        CheckConstraint("survey_window_hours BETWEEN 1 AND 72", name="survey_window"),
        CheckConstraint("recovery_seconds BETWEEN 0 AND 3600", name="recovery"),
        CheckConstraint("long_call_minutes BETWEEN 0 AND 240", name="long_call"),
        CheckConstraint("contacts_before_break BETWEEN 0 AND 50", name="contacts_before_break"),
        CheckConstraint("max_pending_callbacks BETWEEN 1 AND 100", name="max_pending_callbacks"),
        CheckConstraint("callback_retry_seconds BETWEEN 10 AND 3600", name="callback_retry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    twilio_number: Mapped[str] = mapped_column(String(20), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    # {"mon": [["09:00", "21:00"]], ...}; a weekday left out is closed all day.
    opening_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(
        JSON, default=lambda: {day: [["00:00", "24:00"]] for day in WEEKDAYS}
    )
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    # Days the line is closed whatever the weekday's hours, as local dates "YYYY-MM-DD".
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    crisis_number: Mapped[str] = mapped_column(String(20), default="+18002738255")
    overflow_number: Mapped[str | None] = mapped_column(String(20))
    routing_strategy: Mapped[RoutingStrategy] = mapped_column(
        _enum(RoutingStrategy), default=RoutingStrategy.LONGEST_IDLE
    )
    ring_timeout_seconds: Mapped[int] = mapped_column(Integer, default=20)
    wrap_up_seconds: Mapped[int] = mapped_column(Integer, default=60)
    max_wait_seconds: Mapped[int] = mapped_column(Integer, default=600)
    daily_contact_limit: Mapped[int] = mapped_column(Integer, default=3)
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    max_texts_per_specialist: Mapped[int] = mapped_column(Integer, default=2)
    # Whether a specialist on a call may hold text conversations too (and texters take calls).
    texts_during_calls: Mapped[bool] = mapped_column(Boolean, default=False)
    # A text conversation nobody writes in for this long closes (never a crisis-flagged one).
    text_inactivity_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # A waiting texter hears their place in line at most once per this many minutes.
    text_reminder_minutes: Mapped[int] = mapped_column(Integer, default=5)
    # The voice each language's words are read in, {"es": "Polly.Pedro-Neural"}; a language
    # left out is read in its default voice (config/voices.yml).
    voices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Whether callers may speak at menus; what they say goes through the crisis detector.
    speech_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hold audio played while waiting; None plays silence rather than fetch anything.
    hold_music_url: Mapped[str | None] = mapped_column(String(500))
    # The line's own crisis terms, by detector category: {"means": ["..."]}.
    crisis_terms: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # The checkboxes a specialist's wrap-up offers, in the order the form shows them.
    wrap_up_topics: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_WRAP_UP_TOPICS)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Specialists the coverage grid wants on shift in every open hour; fewer is a gap.
    min_specialists: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Whether Twilio answers STOP, START and HELP on the number (its opt-out handling, the
    # default); when off, the line answers them with its own texts.
    twilio_opt_out: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # For this many hours a crisis flag carries over to the same caller tag's next contact,
    # call or text; 0 carries none over.
    crisis_carry_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # Whether callers and texters are asked, after a conversation, how helpful it was. Off
    # until a coordinator turns it on: the questions keep a caller on the line a little longer.
    survey_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Whether a caller is also asked if they would call again (a second keypad question).
    survey_asks_return: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # How long after a text conversation closes a texter's digit still answers its question.
    survey_window_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # A specialist's recovery break after a crisis contact, a long call or too many contacts
    # in a row: this many seconds without offers once their wrap-up ends; 0 gives none.
    recovery_seconds: Mapped[int] = mapped_column(Integer, default=300, server_default="300")
    # A call longer than this many minutes earns a recovery break; 0: no call does by length.
    long_call_minutes: Mapped[int] = mapped_column(Integer, default=45, server_default="45")
    # After this many contacts in a row with no break, a recovery break is taken; 0: no cap.
    contacts_before_break: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether a supervisor may listen to calls, coach the specialist and join; the greeting
    # then tells every caller so (config/scripts, "monitoring").
    monitoring_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Whether a waiting caller may ask to be called back when a specialist is free, how many
    # may wait that way at once, and how long after an unanswered callback the one more try.
    callbacks_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    max_pending_callbacks: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    callback_retry_seconds: Mapped[int] = mapped_column(Integer, default=180, server_default="180")

    shifts: Mapped[list[Shift]] = relationship(back_populates="line")
    scripts: Mapped[list[LineScript]] = relationship(cascade="all, delete-orphan")

    @validates("twilio_number", "crisis_number", "overflow_number")
    def _validate_number(self, key: str, number: str | None) -> str | None:
        if number is None and key == "overflow_number":
            return None
        return to_e164(number or "")

    @validates("timezone")
    def _validate_timezone(self, key: str, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise Refused(N_("unknown timezone %(name)r"), name=name) from None
        return name

    @validates("languages")
    def _validate_line_languages(self, key: str, languages: list[str]) -> list[str]:
        languages = _validate_languages(languages)
        wording.check_line_languages(languages)
        return languages

    @validates("voices")
    def _validate_voices(self, key: str, chosen: dict[str, str]) -> dict[str, str]:
        return voices.check(chosen)

    @validates("wrap_up_topics")
    def _validate_wrap_up_topics(self, key: str, topics: list[str]) -> list[str]:
        topics = list(dict.fromkeys(topic.strip() for topic in topics))
        if not topics or len(topics) > MAX_TOPICS:
            raise Refused(N_("a line needs between 1 and %(most)s wrap-up topics"), most=MAX_TOPICS)
        if not all(0 < len(topic) <= MAX_TOPIC_LENGTH for topic in topics):
            raise Refused(N_("a wrap-up topic has 1 to %(most)s characters"), most=MAX_TOPIC_LENGTH)
        return topics

    @validates("holidays")
    def _validate_holidays(self, key: str, days: list[str]) -> list[str]:
        for day in days:
            try:
                date.fromisoformat(day)
            except (TypeError, ValueError):
                raise Refused(N_("holidays must be dates such as 2026-12-25")) from None
        return sorted(set(days))

    @validates("opening_hours")
    def _validate_opening_hours(
        self, key: str, hours: dict[str, list[list[str]]]
    ) -> dict[str, list[list[str]]]:
        for day, ranges in hours.items():
            if day not in WEEKDAYS:
                raise Refused(
                    N_("unknown weekday %(day)r; use %(days)s"), day=day, days=", ".join(WEEKDAYS)
                )
            for opens, closes in ranges:
                if not (HOURS_RANGE.match(opens) and HOURS_RANGE.match(closes)) or opens >= closes:
                    raise Refused(
                        N_("opening hours on %(day)s must be HH:MM-HH:MM, opening first"), day=day
                    )
        return hours


class User(Base):
    """A peer specialist, coordinator or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.SPECIALIST)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The specialist's own phone, rung with offers; never a caller's.
    phone: Mapped[str | None] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    # Fewer texts at once than the line allows, for someone who wants it; None: the line's.
    max_texts: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when someone else gave them a password: they choose their own before anything else.
    must_choose_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The language of their dashboard and console; None until they choose: their browser's.
    interface_language: Mapped[str | None] = mapped_column(String(8))
    # A supervisor supports the specialists of the lines they serve during a contact: alerted
    # when one asks, they may listen to a call, coach the specialist, or join.
    supervisor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A specialist in training takes practice calls only (warmline.practice), never a real
    # caller or texter.
    in_training: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shifts: Mapped[list[Shift]] = relationship(back_populates="user")

    @validates("email")
    def _validate_email(self, key: str, email: str) -> str:
        email = email.strip().lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
            raise Refused(N_("email must look like name@example.org"))
        return email

    @validates("phone")
    def _validate_phone(self, key: str, phone: str | None) -> str | None:
        return None if phone is None else to_e164(phone)

    @validates("languages")
    def _validate_user_languages(self, key: str, languages: list[str]) -> list[str]:
        return _validate_languages(languages)

    @validates("interface_language")
    def _validate_interface_language(self, key: str, language: str | None) -> str | None:
        if language is not None and language not in INTERFACE_LANGUAGES:
            raise Refused(
                N_("the interface is written in %(languages)s"),
                languages=", ".join(INTERFACE_LANGUAGES),
            )
        return language


class Shift(Base):
    """A rostered stretch of time when a specialist answers one line."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_shifts_line_window", "line_id", "starts_at", "ends_at"),
        UniqueConstraint("pattern_id", "occurrence", name="uq_shifts_pattern_occurrence"),
        # Forms and audit events name shifts by id: SQLite would give a new shift the id of
        # the newest one cancelled, unless told AUTOINCREMENT. PostgreSQL never reuses ids.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a weekly pattern made this shift: the pattern and the local date it is for,
    # so expanding the pattern again never makes the same shift twice.
    pattern_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_patterns.id", ondelete="SET NULL")
    )
    occurrence: Mapped[date | None] = mapped_column(Date)

    line: Mapped[Line] = relationship(back_populates="shifts")
    user: Mapped[User] = relationship(back_populates="shifts")


class ShiftStarted(Base):
    """A specialist who started a shift on a line and has not ended it.

    The live rota is in Redis; this is the durable copy of who is on it, so a Redis that lost
    its data gets back everyone on shift, and nobody who ended theirs.
    """

    __tablename__ = "shifts_started"
    __table_args__ = (UniqueConstraint("line_id", "user_id", name="uq_shifts_started_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contact(Base):
    """One call or text conversation, as the non-identifying whitelist of DESIGN.md.

    There is deliberately no column for a number, name, place or message: the
    mapper refuses any other attribute, and `caller_tag` accepts only an HMAC.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("crisis_tier BETWEEN 0 AND 2", name="crisis_tier"),
        CheckConstraint("survey_helpful BETWEEN 1 AND 5", name="survey_helpful"),
        Index("ix_contacts_line_arrived", "line_id", "arrived_at"),
        Index("ix_contacts_caller_tag", "caller_tag", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    caller_tag: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(3), default="en")
    # The language a texter wrote in that the line does not speak (told how to reach 988 with
    # an interpreter), shown to the specialist; None when they wrote in one of the line's.
    unspoken_language: Mapped[str | None] = mapped_column(String(3))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    total_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome), default=Outcome.OPEN)
    crisis_tier: Mapped[int] = mapped_column(Integer, default=0)
    crisis_referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Twilio's id for the live call, to find the contact from later webhooks. Not personal
    # data, and still cleared when the contact closes so nothing links it to Twilio's logs.
    call_sid: Mapped[str | None] = mapped_column(String(34), unique=True)
    # The feedback question, as numbers only: when it was asked, how helpful the contact
    # found the conversation (1 to 5), and whether they would come back. None: no answer.
    survey_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_helpful: Mapped[int | None] = mapped_column(Integer)
    survey_would_return: Mapped[bool | None] = mapped_column(Boolean)
    # When the caller asked to be called back, and how many calls back the line placed; the
    # number to call is never here (sealed in Redis while the callback is pending).
    callback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A practice call a trainer placed for a specialist in training: out of every report.
    practice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    wrap_up: Mapped[WrapUp | None] = relationship(back_populates="contact")
    practice_call: Mapped[PracticeCall | None] = relationship(back_populates="contact")

    @validates("caller_tag")
    def _validate_caller_tag(self, key: str, tag: str | None) -> str | None:
        if tag is not None and not CALLER_TAG.match(tag):
            raise ValueError("caller_tag must be an HMAC-SHA256 hex digest, never a number")
        return tag

    @validates("unspoken_language")
    def _validate_unspoken_language(self, key: str, language: str | None) -> str | None:
        if language is not None and not LANGUAGE_CODE.match(language):
            raise ValueError("unspoken_language must be an ISO 639 code such as 'fr'")
        return language

    @validates("language")
    def _validate_language(self, key: str, language: str) -> str:
        if not LANGUAGE_CODE.match(language):
            raise ValueError("language must be an ISO 639 code such as 'en'")
        return language

    @validates("crisis_tier")
    def _validate_crisis_tier(self, key: str, tier: int) -> int:
        if tier not in (0, 1, 2):
            raise ValueError("crisis_tier must be 0, 1 or 2")
        # The flag never clears itself: a lower tier never replaces a higher one.
        return max(tier, self.crisis_tier or 0)

    @validates("survey_helpful")
    def _validate_survey_helpful(self, key: str, answer: int | None) -> int | None:
        if answer is not None and answer not in range(1, 6):
            raise ValueError("survey_helpful must be a whole number from 1 to 5")
        return answer


class WrapUp(Base):
    """What the specialist ticked after a contact: checkboxes, never notes about the person."""

    __tablename__ = "wrap_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    crisis_referral_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="wrap_up")


class Block(Base):
    """A caller tag the line will not queue, with the coordinator's reason and expiry."""

    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_line_tag", "line_id", "caller_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    caller_tag: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("caller_tag")
    def _validate_caller_tag(self, key: str, tag: str) -> str:
        if not CALLER_TAG.match(tag):
            raise ValueError("a block names a caller tag, never a number")
        return tag


class AuditEvent(Base):
    """Who changed what, when: the trail coordinators read."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None when the change came from the operator's command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    via: Mapped[str] = mapped_column(String(16), default="cli")


class TextOptOut(Base):
    """A texter who sent STOP: nothing is sent to their caller tag until they send START."""

    __tablename__ = "text_opt_outs"
    __table_args__ = (UniqueConstraint("line_id", "caller_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    caller_tag: Mapped[str] = mapped_column(String(64))
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("caller_tag")
    def _validate_caller_tag(self, key: str, tag: str) -> str:
        if not CALLER_TAG.match(tag):
            raise ValueError("an opt-out names a caller tag, never a number")
        return tag


class LineCoordinator(Base):
    """A coordinator who runs a line: they see and change only the lines they coordinate."""

    __tablename__ = "line_coordinators"
    __table_args__ = (UniqueConstraint("line_id", "user_id", name="uq_line_coordinators_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LineSpecialist(Base):
    """A line someone answers: only its specialists go on its roster and take its contacts."""

    __tablename__ = "line_specialists"
    __table_args__ = (UniqueConstraint("line_id", "user_id", name="uq_line_specialists_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShiftPattern(Base):
    """A weekly recurring shift in the line's wall-clock time, expanded into Shift rows."""

    __tablename__ = "shift_patterns"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        Index("ix_shift_patterns_line", "line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Monday is 0, as in date.weekday().
    weekday: Mapped[int] = mapped_column(Integer)
    # Local wall-clock "HH:MM"; an end at or before the start ends the next day.
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Local dates a coordinator cancelled: expanding again must not bring them back.
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(Base):
    """The secret behind a person's iCalendar URL, kept only as a SHA-256 hash."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LineScript(Base):
    """A line's own wording of a referral script, checked against the rules when saved."""

    __tablename__ = "line_scripts"
    __table_args__ = (UniqueConstraint("line_id", "kind", "channel", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PracticeCall(Base):
    """A practice call a trainer set up: the scenario, the trainee, and the debrief ticks.

    The phone the trainer calls from is kept as a caller tag (an HMAC, never the number) only
    until the call arrives; the next call from it within the window is this practice call.
    """

    __tablename__ = "practice_calls"
    __table_args__ = (Index("ix_practice_calls_waiting", "line_id", "caller_tag", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scenario: Mapped[str] = mapped_column(String(40))
    caller_tag: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), unique=True
    )
    # The keys of the scenario's debrief items the trainer ticked; ticks only, no free text.
    debrief: Mapped[list[str]] = mapped_column(JSON, default=list)
    debriefed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact | None] = relationship(back_populates="practice_call")

    @validates("caller_tag")
    def _validate_caller_tag(self, key: str, tag: str | None) -> str | None:
        if tag is not None and not CALLER_TAG.match(tag):
            raise ValueError("caller_tag must be an HMAC-SHA256 hex digest, never a number")
        return tag
