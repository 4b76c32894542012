"""Live state in Redis: the waiting line, who is free, open offers, what Twilio already told us.

Every key of a line carries the hash tag `{line:ID}`, so each multi-key change below is one
Lua script that also runs on Redis Cluster. Keys hold our own ids and Twilio SIDs, never a
caller's number.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from importlib import resources
from itertools import chain

import redis

# Twilio retries within minutes; a day covers any retry and any late status callback.
SID_TTL_SECONDS = 24 * 3600
# A waiting contact's score: crisis tier first (2, then 1, then 0), then arrival in ms.
TIER_BAND = 10**13
# How long a queued offer job stands for every arrival, in case it is lost on the way.
OFFERS_WANTED_SECONDS = 15
# How many waiting contacts one claim looks through for a language someone free speaks.
CLAIM_SCAN = 1000
# A call back's leg while the call is being placed, before Twilio gives it a SID.
PLACING = "placing"


def now_ms() -> int:
    return int(time.time() * 1000)


def _seen_key(sid: str) -> str:
    return f"warmline:seen:{sid}"


def first_time_seen(client: redis.Redis, sid: str) -> bool:
    """Mark a Twilio request (a SID, or SID plus status) handled; False if it was before."""
    return bool(client.set(_seen_key(sid), 1, nx=True, ex=SID_TTL_SECONDS))


def forget_seen(client: redis.Redis, sid: str) -> None:
    """Let a request be handled again, after handling it failed part-way."""
    client.delete(_seen_key(sid))


def waiting_score(tier: int, arrived_ms: int) -> int:
    return (2 - tier) * TIER_BAND + arrived_ms


def _legs(offer: dict[bytes, bytes]) -> dict[int, str]:
    """Return an offer's ringing legs by specialist, from its hash."""
    return {
        int(k.decode().split(":", 1)[1]): v.decode()
        for k, v in offer.items()
        if k.startswith(b"leg:")
    }


@dataclass(frozen=True)
class Ending:
    """A contact's offer and support when its call ends."""

    # The specialist who accepted the offer, if one did.
    winner: int | None
    legs: dict[int, str]
    supervisor_leg: str | None


@dataclass(frozen=True)
class TextFollowUp:
    """An open text conversation as the live line holds it when another text arrives."""

    # Whether its contact is in the live line at all (waiting, offered or taken).
    live: bool
    conversation: dict[str, bytes]
    position: int | None
    tier: int | None
    arrived_ms: int | None


@dataclass(frozen=True)
class Claim:
    """A contact offered to one specialist, or several at once when the line rings all."""

    contact_id: int
    specialist_ids: tuple[int, ...]


@dataclass(frozen=True)
class StreamCaps:
    """How many live event streams a line, and one person on it, may hold open at once.

    `lasts_ms` is how long an open stream counts: its longest life with a margin, so that one
    whose process died without closing it stops counting on its own.
    """

    per_person: int
    per_line: int
    lasts_ms: int


@dataclass(frozen=True)
class Resolution:
    """What answering or dropping an offer changed."""

    won: bool = False
    requeued: bool = False
    cancel_specialist_ids: tuple[int, ...] = ()
    missed_specialist_ids: tuple[int, ...] = ()
    legs: dict[int, str] | None = None


@dataclass(frozen=True)
class TakenText:
    """A text a specialist took, and the offers taking it ended."""

    contact_id: int
    # Whom that text was being offered to, when someone else took it from the list.
    offered_to: int | None = None
    # Another text that was being offered to the taker, now free for the next one.
    released: int | None = None


@dataclass(frozen=True)
class TextOffer:
    """A waiting text offered on one specialist's dashboard."""

    contact_id: int
    specialist_id: int


@dataclass(frozen=True)
class EndedTextOffer:
    """A text offer that ended unaccepted: whose it was, and whether they went on break."""

    specialist_id: int
    on_break: bool


@functools.cache
def _script(name: str) -> str:
    return resources.files("warmline").joinpath("lua", name).read_text()


class LiveLine:
    """The live state of one line."""

    def __init__(self, client: redis.Redis, line_id: int) -> None:
        self.client = client
        self.line_id = line_id
        self.prefix = f"warmline:{{line:{line_id}}}:"
        self._claim = client.register_script(_script("claim.lua"))
        self._resolve = client.register_script(_script("resolve.lua"))
        self._claim_one = client.register_script(_script("claim_one.lua"))
        self._enqueue = client.register_script(_script("enqueue.lua"))
        self._record_leg = client.register_script(_script("record_leg.lua"))
        self._open_stream = client.register_script(_script("open_stream.lua"))

    def _key(self, name: str) -> str:
        return self.prefix + name

    @property
    def _line_keys(self) -> list[str]:
        return [self._key(name) for name in ("waiting", "offered", "free", "leases", "rotation")]

    # Waiting contacts.

    def enqueue(
        self,
        contact_id: int,
        *,
        language: str,
        tier: int,
        arrived_ms: int,
        pipe: redis.client.Pipeline | None = None,
        **details: str | int,
    ) -> None:
        """Put a contact in line; one already waiting or being offered keeps its place."""
        fields = {"language": language, "tier": tier, "arrived": arrived_ms, **details}
        score = waiting_score(tier, arrived_ms)
        self._enqueue(
            keys=[
                self._key(f"contact:{contact_id}"),
                self._key("waiting"),
                self._key("offered"),
                self._key("accepted"),
                self._key(f"offer:{contact_id}"),
            ],
            args=[contact_id, score, *chain.from_iterable(fields.items())],
            client=pipe or self.client,
        )

    def raise_tier(
        self,
        contact_id: int,
        tier: int,
        *,
        pipe: redis.client.Pipeline | None = None,
        known: TextFollowUp | None = None,
    ) -> None:
        """Move a contact ahead when crisis signs appear; a tier is never lowered.

        `known`: the contact as already read (`text_follow_up`), its writes queued on `pipe`.
        """
        key = self._key(f"contact:{contact_id}")
        if known is None:
            details = self.client.hgetall(key)
            if not details:
                return
            known = TextFollowUp(True, {}, None, int(details[b"tier"]), int(details[b"arrived"]))
        if known.tier is None or known.arrived_ms is None or known.tier >= tier:
            return
        target = pipe or self.client.pipeline(transaction=False)
        target.hset(key, "tier", tier)
        score = waiting_score(tier, known.arrived_ms)
        for queue in ("waiting", "offered"):
            target.zadd(self._key(queue), {contact_id: score}, xx=True)
        if pipe is None:
            target.execute()

    def ending(self, contact_id: int) -> Ending:
        """Read a contact's offer and support as its call ends, in one round trip."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._key(f"offer:{contact_id}"))
            pipe.hgetall(self._key(f"support:{contact_id}"))
            offer, support = pipe.execute()
        winner, leg = offer.get(b"winner"), support.get(b"leg")
        return Ending(
            winner=int(winner) if winner else None,
            legs=_legs(offer),
            supervisor_leg=leg.decode() if leg else None,
        )

    def close(self, contact_id: int, ending: Ending) -> Resolution:
        """Take a contact whose call ended out of line for good, with its offer and support,
        and tell the dashboards: one script and one round trip."""
        return self.remove(contact_id, legs=ending.legs, closing=True)

    def remove(
        self, contact_id: int, *, legs: dict[int, str] | None = None, closing: bool = False
    ) -> Resolution:
        """Take a contact out of line for good (it ended, or left for help elsewhere)."""
        resolution = self.resolve(contact_id, None, "withdraw", legs=legs)
        with self.client.pipeline() as pipe:
            pipe.zrem(self._key("waiting"), contact_id)
            pipe.zrem(self._key("offered"), contact_id)
            pipe.zrem(self._key("accepted"), contact_id)
            pipe.hdel(self._key("asked_twilio"), contact_id)
            pipe.delete(self._key(f"contact:{contact_id}"))
            # A callback still pending when its contact ends is given up: its number goes too.
            pipe.delete(self._callback_key(contact_id))
            pipe.srem(self._key("callbacks"), contact_id)
            if closing:
                pipe.delete(self._key(f"support:{contact_id}"), self._key(f"offer:{contact_id}"))
                self.publish("contact_closed", pipe, contact_id=contact_id)
            pipe.execute()
        return resolution

    def waiting(self) -> list[int]:
        """Return waiting contacts in the order they will be offered."""
        return [int(c) for c in self.client.zrange(self._key("waiting"), 0, -1)]

    def offered(self) -> list[int]:
        """Return contacts whose offer is ringing now."""
        return [int(c) for c in self.client.zrange(self._key("offered"), 0, -1)]

    def position(self, contact_id: int) -> int | None:
        """Return a waiting contact's place in line, 1 for the next one offered."""
        rank = self.client.zrank(self._key("waiting"), contact_id)
        return None if rank is None else rank + 1

    def is_live(self, contact_id: int) -> bool:
        """Whether the contact is in line or with a specialist: put there, not merely noted.

        A hold-loop turn after Redis lost its data notes the caller's announcements again;
        only a contact put in line has its arrival.
        """
        return bool(self.client.hexists(self._key(f"contact:{contact_id}"), "arrived"))

    def note(self, contact_id: int, **fields: str | int) -> None:
        """Remember something about a live contact (why it left the queue, its call SID...)."""
        self.client.hset(self._key(f"contact:{contact_id}"), mapping=fields)

    def details(self, contact_id: int) -> dict[str, str]:
        """Return everything noted about a live contact, in one round trip."""
        raw = self.client.hgetall(self._key(f"contact:{contact_id}"))
        return {key.decode(): value.decode() for key, value in raw.items()}

    def recall(self, contact_id: int, field: str) -> str | None:
        value = self.client.hget(self._key(f"contact:{contact_id}"), field)
        return None if value is None else value.decode()

    # Rebuilding. A marker stands in Redis for as long as it keeps the line's state: Redis
    # without it lost its data (restarted without persistence, flushed, failed over to a
    # replica that never had it), and the line is rebuilt from the database.

    def kept(self) -> bool:
        """Whether Redis still holds the line's state as it was last rebuilt or kept."""
        return bool(self.client.exists(self._key("kept")))

    def start_rebuilding(self, within_seconds: int) -> bool:
        """Claim the rebuild of a line whose state was lost; False if another process has it."""
        return bool(self.client.set(self._key("rebuilding"), 1, nx=True, ex=within_seconds))

    def rebuilt(self) -> None:
        with self.client.pipeline() as pipe:
            pipe.set(self._key("kept"), now_ms())
            pipe.delete(self._key("rebuilding"))
            pipe.execute()

    def restore_on_call(self, contact_id: int, specialist_id: int, languages: list[str]) -> None:
        """Put back a specialist talking to (or being put through to) a caller Redis forgot.

        They are its offer's winner again, so the call's end gives them their wrap-up.
        """
        with self.client.pipeline() as pipe:
            for language in languages:
                pipe.sadd(self._key(f"speaks:{language}"), specialist_id)
            pipe.hset(
                self._key(f"specialist:{specialist_id}"),
                mapping={"status": "on_call", "reason": "", "contact": contact_id, "ready": 0},
            )
            pipe.sadd(self._key("present"), specialist_id)
            pipe.hset(
                self._key(f"offer:{contact_id}"),
                mapping={"specialists": specialist_id, "winner": specialist_id},
            )
            pipe.execute()

    def restore_held_text(
        self, contact_id: int, specialist_id: int, *, language: str, tier: int, arrived_ms: int
    ) -> None:
        """Give an open text conversation Redis forgot back to the specialist holding it."""
        with self.client.pipeline() as pipe:
            pipe.hset(
                self._key(f"contact:{contact_id}"),
                mapping={
                    "language": f"sms:{language}",
                    "channel": "sms",
                    "tier": tier,
                    "arrived": arrived_ms,
                    "specialist": specialist_id,
                },
            )
            pipe.sadd(self._key(f"texts:{specialist_id}"), contact_id)
            pipe.execute()

    # Specialists.

    def go_available(
        self,
        specialist_id: int,
        languages: list[str],
        *,
        ready_ms: int,
        status: str = "available",
        recovery_from_ms: int = 0,
        training: bool = False,
    ) -> None:
        """Make a specialist free for offers from `ready_ms` (now, or when wrap-up ends).

        A recovery break ("recovery") runs from `recovery_from_ms`, the end of its wrap-up,
        to `ready_ms`; nothing is offered before then, with no timer to end it. Someone in
        `training` is offered practice calls only.
        """
        with self.client.pipeline() as pipe:
            for language in languages:
                pipe.sadd(self._key(f"speaks:{language}"), specialist_id)
            pipe.hset(
                self._key(f"specialist:{specialist_id}"),
                mapping={
                    "status": status,
                    "reason": "",
                    "ready": ready_ms,
                    "recovery_from": recovery_from_ms,
                    "training": int(training),
                },
            )
            pipe.hdel(self._key(f"specialist:{specialist_id}"), "contact")
            pipe.sadd(self._key("present"), specialist_id)
            if training:
                pipe.sadd(self._key("trainees"), specialist_id)
            else:
                pipe.srem(self._key("trainees"), specialist_id)
            pipe.zadd(self._key("free"), {specialist_id: ready_ms})
            pipe.execute()

    def keep_texting(self, specialist_id: int) -> None:
        """Keep a specialist with open texts off the phone rota (texts during calls are off)."""
        with self.client.pipeline() as pipe:
            pipe.zrem(self._key("free"), specialist_id)
            pipe.hset(self._key(f"specialist:{specialist_id}"), "status", "texting")
            pipe.execute()

    def go_on_break(self, specialist_id: int, reason: str) -> None:
        """Take a specialist off the rota; a break starts their run of contacts over."""
        with self.client.pipeline() as pipe:
            pipe.zrem(self._key("free"), specialist_id)
            pipe.hset(
                self._key(f"specialist:{specialist_id}"),
                mapping={"status": "break", "reason": reason, "in_a_row": 0, "owed_recovery": 0},
            )
            pipe.sadd(self._key("present"), specialist_id)
            pipe.execute()

    def go_offline(self, specialist_id: int) -> None:
        with self.client.pipeline() as pipe:
            pipe.zrem(self._key("free"), specialist_id)
            pipe.srem(self._key("present"), specialist_id)
            pipe.srem(self._key("trainees"), specialist_id)
            pipe.srem(self._key("signing_off"), specialist_id)
            pipe.zrem(self._key("seen"), specialist_id)
            pipe.delete(self._key(f"specialist:{specialist_id}"))
            pipe.execute()
        for key in self.client.scan_iter(match=self._key("speaks:*")):
            self.client.srem(key, specialist_id)

    def count_contact(self, specialist_id: int) -> int:
        """Count one more contact in a specialist's run without a break; return the run."""
        return int(self.client.hincrby(self._key(f"specialist:{specialist_id}"), "in_a_row", 1))

    def owe_recovery(self, specialist_id: int) -> None:
        """Keep a recovery break earned while other texts are still open for when they close."""
        self.client.hset(self._key(f"specialist:{specialist_id}"), "owed_recovery", 1)

    def rested(self, specialist_id: int) -> None:
        """A recovery break was given: the run of contacts starts over, nothing more is owed."""
        self.client.hset(
            self._key(f"specialist:{specialist_id}"),
            mapping={"in_a_row": 0, "owed_recovery": 0},
        )

    def extend_recovery(self, specialist_id: int, ready_ms: int) -> bool:
        """Move the end of a specialist's recovery break; False if they are on none now."""
        return bool(
            self._text_script("extend_recovery.lua")(
                keys=[self._key("free")], args=[self.prefix, specialist_id, ready_ms, now_ms()]
            )
        )

    def stop_offers(self, specialist_id: int) -> None:
        """Offer a specialist who is signing off nothing more; their shift ends after their call."""
        with self.client.pipeline() as pipe:
            pipe.zrem(self._key("free"), specialist_id)
            pipe.sadd(self._key("signing_off"), specialist_id)
            pipe.execute()

    def signing_off(self, specialist_id: int) -> bool:
        return bool(self.client.sismember(self._key("signing_off"), specialist_id))

    def signing_off_ids(self) -> list[int]:
        return sorted(int(s) for s in self.client.smembers(self._key("signing_off")))

    def saw(self, specialist_id: int, at_ms: int) -> None:
        """Note that a dashboard of this specialist on shift was open at `at_ms`, in any process."""
        if self.client.sismember(self._key("present"), specialist_id):
            self.client.zadd(self._key("seen"), {specialist_id: at_ms}, gt=True)

    def unseen_since(self, before_ms: int) -> list[int]:
        """Return specialists on shift, not signing off, whose dashboards all closed before
        `before_ms`. A shift started outside a dashboard (the demo's, on the phone only) is
        followed only once one of their dashboards opens."""
        seen = self.client.zrangebyscore(self._key("seen"), "-inf", f"({before_ms}")
        gone = {int(s) for s in seen} & set(self.present())
        return sorted(gone - set(self.signing_off_ids()))

    def anyone_present(self) -> bool:
        """Whether any specialist who answers real contacts (not one in training) has started a
        shift and not ended it."""
        return bool(self.client.sdiff(self._key("present"), self._key("trainees")))

    def present(self) -> list[int]:
        """Return the specialists who have started a shift and not ended it, by id."""
        return sorted(int(s) for s in self.client.smembers(self._key("present")))

    def supervising(self, supervisor_id: int, at_ms: int) -> None:
        """Count a supervisor on duty on the line as of `at_ms`: their live board is open."""
        self.client.zadd(self._key("supervisors"), {supervisor_id: at_ms}, gt=True)

    def supervisors_since(self, since_ms: int) -> list[int]:
        """Return the supervisors whose live board of the line was open at `since_ms` or later."""
        key = self._key("supervisors")
        # Those gone longer ago are forgotten here, so the set never grows.
        self.client.zremrangebyscore(key, "-inf", f"({since_ms}")
        return sorted(int(s) for s in self.client.zrange(key, 0, -1))

    def support(self, contact_id: int) -> dict[str, str]:
        """Return what a supervisor is doing for a contact: state, supervisor, their leg."""
        raw = self.client.hgetall(self._key(f"support:{contact_id}"))
        return {k.decode(): v.decode() for k, v in raw.items()}

    def note_support(self, contact_id: int, ttl_seconds: int, **fields: str | int) -> None:
        key = self._key(f"support:{contact_id}")
        with self.client.pipeline() as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, ttl_seconds)
            pipe.execute()

    def claim_support(self, contact_id: int, supervisor_id: int) -> bool:
        """Make a supervisor the contact's one supervisor; False if another already is."""
        key = self._key(f"support:{contact_id}")
        self.client.hsetnx(key, "supervisor", supervisor_id)
        return self.client.hget(key, "supervisor") == str(supervisor_id).encode()

    def forget_support(self, contact_id: int, *names: str) -> None:
        """Forget these fields of a contact's support, or all of it."""
        key = self._key(f"support:{contact_id}")
        if names:
            self.client.hdel(key, *names)
        else:
            self.client.delete(key)

    def specialist(self, specialist_id: int) -> dict[str, str]:
        raw = self.client.hgetall(self._key(f"specialist:{specialist_id}"))
        return {k.decode(): v.decode() for k, v in raw.items()}

    def free_specialists(self, at_ms: int) -> list[int]:
        """Return specialists free for an offer at `at_ms`, longest idle first."""
        return [int(s) for s in self.client.zrangebyscore(self._key("free"), "-inf", at_ms)]

    # Offers.

    def claim(
        self,
        *,
        lease_ms: int,
        queued_call_ms: int = 0,
        ring_all: bool = False,
        rotate: bool = False,
    ) -> Claim | None:
        """Atomically pair the first waiting contact with free specialists speaking its language.

        The offer's lease is `lease_ms`, plus `queued_call_ms` for each call this line's open
        offers (this one's included) may have waiting in Twilio's queue of calls to place.
        """
        result = self._claim(
            keys=self._line_keys,
            args=[
                self.prefix,
                now_ms(),
                lease_ms,
                int(ring_all),
                CLAIM_SCAN,
                int(rotate),
                queued_call_ms,
            ],
        )
        if not result:
            return None
        return Claim(int(result[0]), tuple(int(s) for s in result[1:]))

    def claim_one(self, contact_id: int, specialist_id: int) -> bool:
        """Atomically give a waiting contact to a free specialist who chose it."""
        return bool(
            self._claim_one(
                keys=self._line_keys, args=[self.prefix, contact_id, specialist_id, now_ms()]
            )
        )

    def may_claim_one(self, specialist_id: int, at_ms: int) -> bool:
        """Whether claim_one would give this specialist a waiting call: free, wrap-up over."""
        ready = self.client.zscore(self._key("free"), specialist_id)
        return ready is not None and ready <= at_ms

    def resolve(
        self,
        contact_id: int,
        specialist_id: int | None,
        how: str,
        *,
        legs: dict[int, str] | None = None,
    ) -> Resolution:
        """Settle an offer (see resolve.lua for each `how`) and say what changed.

        'release_all' reports the specialists it put on break as missed; the others report
        the specialists whose ringing phones must stop. `legs`: the offer's, when read already.
        """
        if legs is None:
            legs = self.offer_legs(contact_id)
        won, requeued, *others = self._resolve(
            keys=self._line_keys,
            args=[self.prefix, contact_id, specialist_id or 0, how, now_ms()],
        )
        specialist_ids = tuple(int(s) for s in others)
        if how == "release_all":
            return Resolution(
                requeued=bool(requeued), missed_specialist_ids=specialist_ids, legs=legs
            )
        return Resolution(
            won=bool(won),
            requeued=bool(requeued),
            cancel_specialist_ids=specialist_ids,
            legs=legs,
        )

    def record_leg(self, contact_id: int, specialist_id: int, call_sid: str) -> bool:
        """Remember the call ringing a specialist, to cancel it if someone else answers.

        Return False when the offer ended while the call was being placed (the caller hung
        up, say): nobody would cancel that call, so the caller of this must.
        """
        return bool(
            self._record_leg(
                keys=[self._key(f"offer:{contact_id}")], args=[specialist_id, call_sid]
            )
        )

    def forget_leg(self, contact_id: int, specialist_id: int) -> None:
        """Stop following a call being hung up, so its ending changes nothing."""
        self.client.hdel(self._key(f"offer:{contact_id}"), f"leg:{specialist_id}")

    def offer_legs(self, contact_id: int) -> dict[int, str]:
        return _legs(self.client.hgetall(self._key(f"offer:{contact_id}")))

    def offer_winner(self, contact_id: int) -> int | None:
        winner = self.client.hget(self._key(f"offer:{contact_id}"), "winner")
        return int(winner) if winner else None

    def reached_conference(self, contact_id: int) -> None:
        """Stop watching an accepted caller: they are in their conversation."""
        self.client.zrem(self._key("accepted"), contact_id)

    def stuck_accepted(self, before_ms: int) -> list[int]:
        """Return callers accepted before `before_ms` who never reached their conference."""
        return [int(c) for c in self.client.zrangebyscore(self._key("accepted"), "-inf", before_ms)]

    def retry_connecting(self, contact_id: int) -> None:
        self.client.zadd(self._key("accepted"), {contact_id: now_ms()}, xx=True)

    def ask_twilio_due(self, contact_id: int, every_ms: int) -> bool:
        """Whether to ask Twilio about this call now; at most once per `every_ms`."""
        key, now = self._key("asked_twilio"), now_ms()
        asked = self.client.hget(key, contact_id)
        if asked is not None and now - int(asked) < every_ms:
            return False
        self.client.hset(key, contact_id, now)
        return True

    def want_offers(self) -> bool:
        """Note that offers should be made; False if a job to make them is already waiting."""
        return bool(self._note_offers_wanted(self.client))

    def queue_want_offers(self, pipe: redis.client.Pipeline) -> None:
        """Queue `want_offers` on `pipe`: its result there is the answer."""
        self._note_offers_wanted(pipe)

    def _note_offers_wanted(self, target):
        return target.set(self._key("offers_wanted"), 1, nx=True, ex=OFFERS_WANTED_SECONDS)

    def making_offers(self) -> None:
        """An offer job has started: anything arriving from now on needs a job of its own."""
        self.client.delete(self._key("offers_wanted"))

    def expired_offers(self, before_ms: int) -> list[int]:
        return [int(c) for c in self.client.zrangebyscore(self._key("leases"), "-inf", before_ms)]

    def finish_offer(self, contact_id: int) -> None:
        self.client.delete(self._key(f"offer:{contact_id}"))

    # Events for dashboards.

    def publish(
        self, kind: str, pipe: redis.client.Pipeline | None = None, **fields: int | str
    ) -> None:
        target = pipe or self.client
        target.publish(self._key("events"), json.dumps({"type": kind, **fields}))

    @property
    def events_channel(self) -> str:
        return self._key("events")

    def open_stream(self, person_id: int, token: str, caps: StreamCaps) -> str:
        """Count one more open event stream; return "ok", or the cap ("person", "line") hit."""
        now = now_ms()
        admitted = self._open_stream(
            keys=[self._key("streams")],
            args=[now, now + caps.lasts_ms, person_id, token, caps.per_person, caps.per_line],
        )
        return admitted.decode()

    def close_stream(self, person_id: int, token: str) -> None:
        """Stop counting a stream that ended."""
        self.client.zrem(self._key("streams"), f"{person_id}:{token}")

    # Text conversations. They wait in the same line as calls, scored the same way, under the
    # routing language "sms:<code>": no phone offer's claim matches it, so only accept_text
    # takes them. What a conversation needs to reply (the texter's number, the messages) is
    # stored sealed by the caller, under keys naming our ids only, and deleted at close.

    def _text_script(self, name: str):
        scripts = self.__dict__.setdefault("_text_scripts", {})
        if name not in scripts:
            scripts[name] = self.client.register_script(_script(name))
        return scripts[name]

    def _conversation_key(self, contact_id: int, part: str = "") -> str:
        return self._key(f"conversation:{contact_id}" + (f":{part}" if part else ""))

    def enqueue_text(self, contact_id: int, *, language: str, tier: int, arrived_ms: int) -> None:
        """Put a text conversation in line; one already waiting keeps its place."""
        with self.client.pipeline() as pipe:
            pipe.hset(
                self._key(f"contact:{contact_id}"),
                mapping={
                    "language": f"sms:{language}",
                    "channel": "sms",
                    "tier": tier,
                    "arrived": arrived_ms,
                },
            )
            pipe.zadd(self._key("waiting"), {contact_id: waiting_score(tier, arrived_ms)}, nx=True)
            pipe.execute()

    def accept_text(
        self,
        specialist_id: int,
        *,
        contact_id: int | None = None,
        max_texts: int,
        during_calls: bool,
    ) -> TakenText | None:
        """Atomically give a waiting text (that one, or the first they speak) to a specialist.

        A text being offered to someone else may be taken all the same: that offer ends.
        """
        taken = self._text_script("accept_text.lua")(
            keys=[self._key("waiting"), self._key("free"), self._key("text_offers")],
            args=[
                self.prefix,
                specialist_id,
                contact_id or "",
                now_ms(),
                max_texts,
                int(during_calls),
                CLAIM_SCAN,
            ],
        )
        if not taken:
            return None
        contact, offered_to, released = (int(part) for part in taken)
        return TakenText(contact, offered_to or None, released or None)

    def may_accept_text(
        self, specialist_id: int, *, at_ms: int, max_texts: int, during_calls: bool
    ) -> bool:
        """Whether accept_text would give this specialist one more text, read without a change."""
        card = self.specialist(specialist_id)
        if not card or len(self.texts_held(specialist_id)) >= max_texts:
            return False
        status = card.get("status")
        if status == "on_call" or "offer" in card:
            return during_calls
        if status == "texting":
            return True
        if "text_offer" in card:
            # Their text offer keeps their place on the phone rota while it stands.
            kept = self.client.hget(self._key(f"text_offer:{card['text_offer']}"), "ready")
            return bool(kept) and int(float(kept)) <= at_ms
        return self.may_claim_one(specialist_id, at_ms)

    def release_text(
        self,
        contact_id: int,
        specialist_id: int | None,
        *,
        ready_ms: int,
        status: str,
        recovery_from_ms: int = 0,
    ) -> bool:
        """Take a closed text out of line and off its specialist; True if they became free."""
        return bool(
            self._text_script("release_text.lua")(
                keys=[self._key("waiting"), self._key("free")],
                args=[
                    self.prefix,
                    contact_id,
                    specialist_id or "",
                    ready_ms,
                    status,
                    recovery_from_ms,
                ],
            )
        )

    def return_text(
        self, contact_id: int, specialist_id: int, *, tier: int, arrived_ms: int
    ) -> bool:
        """Take an open text off its specialist and back into line in its old place."""
        return bool(
            self._text_script("return_text.lua")(
                keys=[self._key("waiting")],
                args=[self.prefix, contact_id, specialist_id, waiting_score(tier, arrived_ms)],
            )
        )

    # Text offers: a waiting text shown on one specialist's dashboard to accept or let pass.
    # It keeps its place in line meanwhile (the contact notes `offered_to`); the offer, under
    # `text_offer:<contact>`, keeps the offered specialist's place on the phone rota.

    def offer_text(
        self,
        limits: dict[int, int],
        *,
        ends_ms: int,
        during_calls: bool,
        ahead_of_calls: bool = False,
    ) -> TextOffer | None:
        """Atomically offer the first waiting text someone can take to the one who gets it.

        `limits` says how many texts each active specialist may hold at once. With
        `ahead_of_calls`, only texts ahead of every waiting caller are offered.
        """
        if not limits:
            return None
        offered = self._text_script("offer_text.lua")(
            keys=[self._key("waiting"), self._key("free"), self._key("text_offers")],
            args=[
                self.prefix,
                now_ms(),
                ends_ms,
                int(during_calls),
                CLAIM_SCAN,
                int(ahead_of_calls),
                *chain.from_iterable(limits.items()),
            ],
        )
        if not offered:
            return None
        return TextOffer(int(offered[0]), int(offered[1]))

    def end_text_offer(
        self, contact_id: int, specialist_id: int | None, how: str, *, passed_until_ms: int = 0
    ) -> EndedTextOffer | None:
        """End a text offer ('pass', 'expire' or 'withdraw': see end_text_offer.lua)."""
        ended = self._text_script("end_text_offer.lua")(
            keys=[self._key("waiting"), self._key("free"), self._key("text_offers")],
            args=[self.prefix, contact_id, specialist_id or "", how, passed_until_ms],
        )
        if not ended:
            return None
        return EndedTextOffer(int(ended[0]), bool(ended[1]))

    def text_offer_of(self, specialist_id: int) -> int | None:
        """Return the text being offered to a specialist now, if one is."""
        offered = self.client.hget(self._key(f"specialist:{specialist_id}"), "text_offer")
        return int(offered) if offered else None

    def text_offered_to(self, contact_id: int) -> int | None:
        """Return the specialist a waiting text is being offered to, if anyone."""
        offered = self.client.hget(self._key(f"contact:{contact_id}"), "offered_to")
        return int(offered) if offered else None

    def expired_text_offers(self, before_ms: int) -> list[int]:
        return [
            int(c) for c in self.client.zrangebyscore(self._key("text_offers"), "-inf", before_ms)
        ]

    def texts_unoffered(self) -> list[int]:
        """Return waiting texts nobody is being offered, in line order."""
        waiting = self.waiting()
        with self.client.pipeline(transaction=False) as pipe:
            for contact_id in waiting:
                pipe.hmget(self._key(f"contact:{contact_id}"), "channel", "offered_to")
            details = pipe.execute()
        return [
            contact_id
            for contact_id, (channel, offered_to) in zip(waiting, details, strict=True)
            if channel == b"sms" and not offered_to
        ]

    def texts_held(self, specialist_id: int) -> list[int]:
        """Return the text conversations a specialist has open."""
        return sorted(int(c) for c in self.client.smembers(self._key(f"texts:{specialist_id}")))

    def text_specialist(self, contact_id: int) -> int | None:
        owner = self.client.hget(self._key(f"contact:{contact_id}"), "specialist")
        return int(owner) if owner else None

    def claim_texter(self, caller_tag: str, contact_id: int) -> int:
        """Make `contact_id` the texter's open conversation unless one is; return which is."""
        key = self._key(f"texter:{caller_tag}")
        if self.client.set(key, contact_id, nx=True):
            return contact_id
        owner = self.client.get(key)
        return int(owner) if owner else self.claim_texter(caller_tag, contact_id)

    def texter_conversation(self, caller_tag: str) -> int | None:
        owner = self.client.get(self._key(f"texter:{caller_tag}"))
        return int(owner) if owner else None

    def forget_texter(self, caller_tag: str, contact_id: int) -> None:
        key = self._key(f"texter:{caller_tag}")
        if self.client.get(key) == str(contact_id).encode():
            self.client.delete(key)

    def keep_conversation(
        self,
        contact_id: int,
        pipe: redis.client.Pipeline | None = None,
        **fields: str | int | bytes,
    ) -> None:
        """Remember something about an open conversation (its sealed number, last activity...)."""
        (pipe or self.client).hset(self._conversation_key(contact_id), mapping=fields)

    def text_follow_up(self, contact_id: int) -> TextFollowUp:
        """Read what another text to an open conversation needs, in one round trip."""
        key = self._key(f"contact:{contact_id}")
        with self.client.pipeline(transaction=False) as pipe:
            pipe.exists(key)
            pipe.hgetall(self._conversation_key(contact_id))
            pipe.zrank(self._key("waiting"), contact_id)
            pipe.hmget(key, "tier", "arrived")
            found, conversation, rank, (tier, arrived) = pipe.execute()
        return TextFollowUp(
            live=bool(found),
            conversation={k.decode(): v for k, v in conversation.items()},
            position=None if rank is None else rank + 1,
            tier=None if tier is None else int(tier),
            arrived_ms=None if arrived is None else int(arrived),
        )

    def conversation(self, contact_id: int) -> dict[str, bytes]:
        raw = self.client.hgetall(self._conversation_key(contact_id))
        return {k.decode(): v for k, v in raw.items()}

    def add_inbound(self, pipe: redis.client.Pipeline, contact_id: int, sealed: bytes) -> None:
        """Queue a sealed message that needs no sending on `pipe`."""
        pipe.rpush(self._conversation_key(contact_id, "messages"), sealed)

    def add_message(self, contact_id: int, sealed: bytes, *, outbound: bool) -> int:
        """Append a sealed message; return its index. An outbound one waits to be sent."""
        index = self.client.rpush(self._conversation_key(contact_id, "messages"), sealed) - 1
        if outbound:
            with self.client.pipeline() as pipe:
                pipe.sadd(self._conversation_key(contact_id, "unsent"), index)
                pipe.hset(self._conversation_key(contact_id, "delivery"), f"status:{index}", "")
                pipe.execute()
        return index

    def messages(self, contact_id: int) -> list[bytes]:
        return self.client.lrange(self._conversation_key(contact_id, "messages"), 0, -1)

    def message(self, contact_id: int, index: int) -> bytes | None:
        return self.client.lindex(self._conversation_key(contact_id, "messages"), index)

    def delivery(self, contact_id: int) -> dict[str, str]:
        raw = self.client.hgetall(self._conversation_key(contact_id, "delivery"))
        return {k.decode(): v.decode() for k, v in raw.items()}

    def record_sent(self, contact_id: int, index: int, message_sid: str, attempt: int) -> None:
        """Note the SID Twilio gave an outbound message; it is no longer waiting to be sent."""
        with self.client.pipeline() as pipe:
            pipe.hset(
                self._conversation_key(contact_id, "delivery"),
                mapping={
                    f"sid:{index}": message_sid,
                    f"attempt:{index}": attempt,
                    f"message:{message_sid}": index,
                    # A new attempt starts its delivery over.
                    f"status:{index}": "queued",
                    f"rank:{index}": 1,
                },
            )
            pipe.srem(self._conversation_key(contact_id, "unsent"), index)
            pipe.execute()

    def give_up_sending(self, contact_id: int, index: int) -> None:
        with self.client.pipeline() as pipe:
            pipe.hset(self._conversation_key(contact_id, "delivery"), f"status:{index}", "failed")
            pipe.srem(self._conversation_key(contact_id, "unsent"), index)
            pipe.execute()

    def address(self, contact_id: int) -> bytes | None:
        """The texter's sealed number; None if Redis lost it, marking that replies wait for it."""
        return self._text_script("address.lua")(keys=[self._conversation_key(contact_id)])

    def readdress(self, pipe: redis.client.Pipeline, contact_id: int) -> None:
        """Queue, after the number is sealed again, whether replies were waiting for it."""
        pipe.hdel(self._conversation_key(contact_id), "unaddressed")

    def unsent_attempts(self, contact_id: int) -> dict[int, int]:
        """Each unsent reply with its next attempt."""
        delivery = self.delivery(contact_id)
        return {
            index: int(delivery.get(f"attempt:{index}") or 0) + 1
            for index in sorted(self.unsent(contact_id))
        }

    def unsent(self, contact_id: int) -> set[int]:
        return {int(i) for i in self.client.smembers(self._conversation_key(contact_id, "unsent"))}

    def update_delivery(
        self, contact_id: int, message_sid: str, status: str, rank: int
    ) -> tuple[int, bool] | None:
        """Move a sent message's status forward only; return (index, changed), None if unknown."""
        result = self._text_script("delivery.lua")(
            keys=[self._conversation_key(contact_id, "delivery")],
            args=[message_sid, status, rank],
        )
        if not result:
            return None
        return int(result[0]), bool(result[1])

    def first_notice(self, name: str, seconds: int) -> bool:
        """Claim a notice (a reminder, a closed-line reply) due at most once per `seconds`."""
        return bool(self._claim_notice(self.client, name, seconds))

    def queue_first_notice(self, pipe: redis.client.Pipeline, name: str, seconds: int) -> None:
        """Queue `first_notice` on `pipe`: its result there says whether the notice is due."""
        self._claim_notice(pipe, name, seconds)

    def _claim_notice(self, target, name: str, seconds: int):
        return target.set(self._key(f"notice:{name}"), 1, nx=True, ex=max(1, seconds))

    def forget_notice(self, name: str) -> None:
        self.client.delete(self._key(f"notice:{name}"))

    def stored_conversations(self) -> list[int]:
        """Return every conversation with sealed data kept, open or not."""
        found = set()
        for key in self.client.scan_iter(match=self._key("conversation:*"), count=500):
            name = key.decode().removeprefix(self.prefix + "conversation:")
            found.add(int(name.split(":", 1)[0]))
        return sorted(found)

    def forget_conversation(self, contact_id: int) -> None:
        """Delete everything sealed or noted about a conversation."""
        self.client.delete(
            self._conversation_key(contact_id),
            self._conversation_key(contact_id, "messages"),
            self._conversation_key(contact_id, "delivery"),
            self._conversation_key(contact_id, "unsent"),
            self._key(f"notice:waiting:{contact_id}"),
        )

    # Callbacks. A caller who asked to be called back keeps their place in line with their call
    # over; the number to call is kept sealed under a key naming our id only, and deleted once
    # the callback is made or given up.

    def _callback_key(self, contact_id: int) -> str:
        return self._key(f"callback:{contact_id}")

    def request_callback(self, contact_id: int, sealed_number: bytes, *, cap: int) -> bool:
        """Keep the sealed number to call a caller back; False when `cap` are already pending."""
        return bool(
            self._text_script("request_callback.lua")(
                keys=[self._key("callbacks"), self._callback_key(contact_id)],
                args=[contact_id, sealed_number, cap],
            )
        )

    def pending_callbacks(self) -> int:
        return int(self.client.scard(self._key("callbacks")))

    def callback_number(self, contact_id: int) -> bytes | None:
        """Return the sealed number to call back; None once it is deleted (or never kept)."""
        return self.client.hget(self._callback_key(contact_id), "to")

    def start_callback_attempt(self, contact_id: int) -> int | None:
        """Claim the next call back to a caller; None while one is under way or none is kept."""
        key = self._callback_key(contact_id)
        if not self.client.exists(key) or not self.client.hsetnx(key, "leg", PLACING):
            return None
        return int(self.client.hincrby(key, "attempts", 1))

    def record_callback_leg(self, contact_id: int, call_sid: str) -> None:
        self.client.hset(self._callback_key(contact_id), "leg", call_sid)

    def callback_leg(self, contact_id: int) -> str | None:
        leg = self.client.hget(self._callback_key(contact_id), "leg")
        return None if leg is None else leg.decode()

    def end_callback_attempt(self, contact_id: int, call_sid: str) -> bool:
        """Close the call back `call_sid` once; False if it was not the one under way."""
        key = self._callback_key(contact_id)
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    if pipe.hget(key, "leg") != call_sid.encode():
                        pipe.reset()
                        return False
                    pipe.multi()
                    pipe.hdel(key, "leg")
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue

    def forget_callback(self, contact_id: int) -> None:
        """Delete the sealed number and the pending callback: it was made, or given up."""
        with self.client.pipeline() as pipe:
            pipe.delete(self._callback_key(contact_id))
            pipe.srem(self._key("callbacks"), contact_id)
            pipe.execute()
