"""Texts: what arrives on the account's numbers, the <Message> replies, and delivery reports."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from warmline.simulator.carrier import Carrier
from warmline.simulator.documents import Document, resolve, text
from warmline.simulator.phones import Phone
from warmline.simulator.state import API_VERSION, Text, new_sid
from warmline.simulator.webhook_client import CALLER_PLACE, LINE_PLACE


class Texts(dict[str, Text]):
    """The account's texts by SID, both ways."""

    def __init__(self, carrier: Carrier) -> None:
        super().__init__()
        self._carrier = carrier

    def receive(self, phone: Phone, to: str, body: str) -> Text:
        """Deliver a text from a simulated phone to the account's number and act on the reply."""
        line = self._carrier.directory.line(to)
        text_in = Text(
            new_sid("SM"), phone.number, to, body, self._carrier.now(), status="received"
        )
        self[text_in.sid] = text_in
        phone.add_text(text_in)
        params = {
            "MessageSid": text_in.sid,
            "SmsSid": text_in.sid,
            "SmsMessageSid": text_in.sid,
            "AccountSid": self._carrier.account_sid,
            "From": phone.number,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": str(segments(body)),
            "SmsStatus": "received",
            "ApiVersion": API_VERSION,
        }
        for name, value in CALLER_PLACE.items():
            params[f"From{name}"] = value
        for name, value in LINE_PLACE.items():
            params[f"To{name}"] = value
        document = self._carrier.webhooks.fetch_text_reply(text_in, line, params)
        if document is not None:
            for verb in document.root.iter("Message"):
                self.send_message(verb, document, to=text_in.sender, sender=text_in.recipient)
        return text_in

    def send_message(self, verb: ET.Element, document: Document, *, to: str, sender: str) -> None:
        """Carry out a <Message> verb: its attributes override the default ends."""
        body = verb.find("Body")
        self.send(
            sender=verb.get("from") or sender,
            recipient=verb.get("to") or to,
            body=text(body) if body is not None else text(verb),
            status_callback=resolve(document.url, verb.get("statusCallback")),
        )

    def send(self, *, sender: str, recipient: str, body: str, status_callback: str | None) -> Text:
        """Send a text from the account to a simulated phone, reporting delivery as asked."""
        text_out = Text(new_sid("SM"), sender, recipient, body, self._carrier.now())
        self[text_out.sid] = text_out

        def deliver() -> None:
            for status in ("sent", "delivered"):
                text_out.status = status
                if status == "delivered":
                    self._carrier.directory.phone(recipient).add_text(text_out)
                if status_callback:
                    self._carrier.webhooks.send(
                        status_callback, self._status_params(text_out), "POST"
                    )

        self._carrier.scheduler.soon(deliver)
        return text_out

    def _status_params(self, sent: Text) -> dict[str, str]:
        return {
            "MessageSid": sent.sid,
            "SmsSid": sent.sid,
            "MessageStatus": sent.status,
            "SmsStatus": sent.status,
            "AccountSid": self._carrier.account_sid,
            "From": sent.sender,
            "To": sent.recipient,
            "ApiVersion": API_VERSION,
        }


def segments(body: str) -> int:
    """Return how many SMS segments a body needs (GSM-7 when it fits, else UCS-2)."""
    gsm = all(ord(char) < 128 for char in body)
    single, multi = (160, 153) if gsm else (70, 67)
    if len(body) <= single:
        return 1
    return -(-len(body) // multi)
