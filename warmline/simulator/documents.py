"""Read TwiML as Twilio does: a <Response> of known verbs, nested only where allowed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urljoin

MAX_TWIML_BYTES = 64 * 1024
XML_TYPES = ("text/xml", "application/xml", "text/html")

# Which verbs each verb (or the document root) may contain; nouns are listed under their verb.
VOICE_CHILDREN = {
    "Response": {
        "Say", "Play", "Pause", "Gather", "Dial", "Enqueue", "Leave", "Hangup", "Redirect",
        "Reject", "Message", "Record", "Connect", "Sms",
    },
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Number", "Queue", "Conference", "Client", "Sip"},
    "Message": {"Body", "Media"},
}  # fmt: skip
# https://www.twilio.com/docs/voice/twiml/enqueue: what an <Enqueue> waitUrl document may
# hold, and the one input a <Gather> there may listen for.
WAIT_VERBS = frozenset({"Play", "Say", "Pause", "Hangup", "Redirect", "Leave", "Gather"})
WAIT_GATHER_INPUTS = frozenset({"dtmf", "speech"})
MESSAGING_CHILDREN = {
    "Response": {"Message", "Redirect"},
    "Message": {"Body", "Media"},
}


class TwimlError(Exception):
    """Twilio could not use the document; `code` is the error Twilio's debugger shows."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Document:
    """A parsed TwiML document and the URL it came from (relative URLs resolve against it)."""

    url: str
    root: ET.Element


def parse(url: str, body: bytes, content_type: str, *, messaging: bool = False) -> Document:
    """Parse and check a TwiML response body, raising TwimlError the way Twilio reports it."""
    if len(body) > MAX_TWIML_BYTES:
        raise TwimlError(11750, "TwiML response body too large")
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if mimetype and mimetype not in XML_TYPES:
        raise TwimlError(12300, f"Invalid Content-Type {mimetype!r}")
    if not body.strip():
        raise TwimlError(12100, "Document parse failure: empty response")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise TwimlError(12100, f"Document parse failure: {error}") from None
    if root.tag != "Response":
        raise TwimlError(12100, f"Document parse failure: root element is <{root.tag}>")
    _check(root, MESSAGING_CHILDREN if messaging else VOICE_CHILDREN)
    return Document(url, root)


def _check(element: ET.Element, allowed: dict[str, set[str]]) -> None:
    children = allowed.get(element.tag, set())
    for child in element:
        if child.tag not in children:
            raise TwimlError(12100, f"Document parse failure: <{child.tag}> in <{element.tag}>")
        if child.tag in allowed:
            _check(child, allowed)


def check_wait_music(document: Document) -> None:
    """Refuse a waitUrl document Twilio would not play to a queued caller, saying why."""
    for verb in document.root:
        if verb.tag not in WAIT_VERBS:
            raise TwimlError(12100, f"<{verb.tag}> is not allowed in an Enqueue waitUrl document")
        listens = (verb.get("input") or "dtmf").strip()
        if verb.tag == "Gather" and listens not in WAIT_GATHER_INPUTS:
            raise TwimlError(
                12100,
                f'<Gather input="{listens}"> in an Enqueue waitUrl document: '
                'only input="dtmf" or input="speech" is allowed there',
            )


def text(element: ET.Element) -> str:
    """Return an element's text with surrounding whitespace removed."""
    return (element.text or "").strip()


def flag(element: ET.Element, name: str, default: bool = False) -> bool:
    value = element.get(name)
    return default if value is None else value.strip().lower() == "true"


def number(element: ET.Element, name: str, default: int) -> int:
    """Return a whole-number attribute; Twilio ignores a malformed one and uses the default."""
    try:
        return int(element.get(name, default))
    except ValueError:
        return default


def resolve(base: str, url: str | None) -> str | None:
    """Resolve a TwiML URL attribute against the document it appeared in."""
    return urljoin(base, url.strip()) if url and url.strip() else None
