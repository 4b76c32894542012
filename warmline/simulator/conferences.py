"""Conference rooms: made on first use by name, and what their participants are told."""

from __future__ import annotations

from warmline.simulator.scheduler import Scheduler
from warmline.simulator.state import Call, Conference, new_sid


class Conferences(dict[str, Conference]):
    """The account's conferences by SID; a finished room is never reused."""

    def __init__(self, scheduler: Scheduler) -> None:
        super().__init__()
        self._scheduler = scheduler

    def named(self, name: str) -> Conference:
        """Return the live room called `name`, making it when there is none."""
        for room in self.values():
            if room.name == name and room.status != "completed":
                return room
        room = Conference(sid=new_sid("CF"), name=name)
        self[room.sid] = room
        return room

    def join(self, room: Conference, call: Call, *, starts: bool, ends: bool) -> None:
        """Put a call in a room; a participant who starts it opens it for everyone."""
        call.conference = room.sid
        call.ends_conference = ends
        room.participants.append(call)
        if starts and room.status == "init":
            room.status = "in-progress"
        self._announce(room)

    def leave(self, call: Call) -> None:
        """Take a call out of its room, ending the room when it was the last or the moderator."""
        room = self[call.conference] if call.conference else None
        call.conference = None
        if room is None or call not in room.participants:
            return
        room.participants.remove(call)
        if call.ends_conference or not room.participants:
            room.status = "completed"
            for other in list(room.participants):
                other.conference = None
                self._scheduler.post(other, "conference-ended", room.sid)
            room.participants.clear()
        else:
            self._announce(room)

    def _announce(self, room: Conference) -> None:
        for call in room.participants:
            self._scheduler.post(call, "conference-changed", room.sid)
