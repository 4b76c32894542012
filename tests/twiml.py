"""Read TwiML the way Twilio would: as XML with a <Response> root."""

from __future__ import annotations

import xml.etree.ElementTree as ET

VOICE_VERBS = {
    "Say",
    "Play",
    "Pause",
    "Gather",
    "Dial",
    "Enqueue",
    "Leave",
    "Hangup",
    "Redirect",
    "Reject",
    "Record",
    "Connect",
}


def parse(response) -> ET.Element:
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return root


def spoken(root: ET.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))


def dialled(root: ET.Element) -> list[str]:
    return [(dial.text or "").strip() for dial in root.iter("Dial")]


def assert_valid_voice(root: ET.Element) -> None:
    assert len(root) > 0, "an empty voice response leaves the caller in silence"
    assert {child.tag for child in root} <= VOICE_VERBS


def held_contact(root: ET.Element) -> int:
    """Return the contact an <Enqueue> holds, from its exit handler's URL."""
    enqueue = root.find("Enqueue")
    assert enqueue is not None, "the caller is not put in Twilio's queue"
    return int(enqueue.get("action").rsplit("=", 1)[1])
