"""Texts: what arrives on the account's numbers, the <Message> replies, and delivery reports.

Each number answers opt-out, opt-in and help keywords as a Messaging Service with Advanced
Opt-Out does, unless the simulator is told its opt-out handling is off:
https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from warmline.simulator.carrier import Carrier
from warmline.simulator.documents import Document, resolve, text
from warmline.simulator.phones import Phone
from warmline.simulator.state import API_VERSION, Text, new_sid
from warmline.simulator.webhook_client import CALLER_PLACE, LINE_PLACE

# Twilio's default keywords, by the OptOutType its webhook names them with:
# https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out (opt-out words) and
# https://help.twilio.com/articles/223134027 (opt-in START, YES, UNSTOP; help HELP, INFO).
KEYWORDS = {
    "STOP": frozenset(
        {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    ),
    "START": frozenset({"START", "YES", "UNSTOP"}),
    "HELP": frozenset({"HELP", "INFO"}),
}
# Twilio's own replies to each keyword, sent from the number before the webhook is called.
REPLIES = {
    "STOP": "You have successfully been unsubscribed. You will not receive any more messages "
    "from this number. Reply START to resubscribe.",
    "START": "You have successfully been re-subscribed to messages from this number. Reply HELP "
    "for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
    "HELP": "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}
# https://www.twilio.com/docs/api/errors/21610
UNSUBSCRIBED = 21610


class Unsubscribed(Exception):
    """Twilio refuses a message to a number that opted out of the sender: error 21610."""

    code = UNSUBSCRIBED
    message = "Attempt to send to unsubscribed recipient"


def opt_out_type(body: str) -> str | None:
    """Return the OptOutType a message is, or None: the whole message, any case, is the word."""
    word = body.strip().upper()
    return next((kind for kind, words in KEYWORDS.items() if word in words), None)


class Texts(dict[str, Text]):
    """The account's texts by SID, both ways."""

    def __init__(self, carrier: Carrier) -> None:
        super().__init__()
        self._carrier = carrier
        # (account number, phone number) pairs Twilio refuses to send to until opted in again.
        self._unsubscribed: set[tuple[str, str]] = set()
        self._self_handled: set[str] = set()

    def handle_opt_outs(self, number: str, enabled: bool) -> None:
        """Turn Twilio's opt-out handling on or off for one of the account's numbers."""
        if enabled:
            self._self_handled.discard(number)
        else:
            self._self_handled.add(number)

    def is_unsubscribed(self, sender: str, recipient: str) -> bool:
        """Return whether `recipient` opted out of texts from the account's number `sender`."""
        return (sender, recipient) in self._unsubscribed

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
        kind = None if to in self._self_handled else opt_out_type(body)
        if kind is not None:
            params["OptOutType"] = kind
            self._answer_keyword(kind, phone, to)
        document = self._carrier.webhooks.fetch_text_reply(text_in, line, params)
        if document is not None:
            for verb in document.root.iter("Message"):
                self.send_message(verb, document, to=text_in.sender, sender=text_in.recipient)
        return text_in

    def _answer_keyword(self, kind: str, phone: Phone, to: str) -> None:
        """Change the number's opt-out list and send Twilio's own reply, before the webhook."""
        pair = (to, phone.number)
        if kind == "HELP" and pair in self._unsubscribed:
            # An opted-out texter gets no help reply until they opt back in.
            return
        if kind == "STOP":
            self._unsubscribed.add(pair)
        elif kind == "START":
            self._unsubscribed.discard(pair)
        # Twilio's own replies are not the account's messages: they appear in no message list.
        reply = Text(new_sid("SM"), to, phone.number, REPLIES[kind], self._carrier.now())
        self._deliver(reply, None)

    def send_message(self, verb: ET.Element, document: Document, *, to: str, sender: str) -> None:
        """Carry out a <Message> verb: its attributes override the default ends."""
        body = verb.find("Body")
        sender, recipient = verb.get("from") or sender, verb.get("to") or to
        status_callback = resolve(document.url, verb.get("statusCallback"))
        content = text(body) if body is not None else text(verb)
        try:
            self.send(
                sender=sender, recipient=recipient, body=content, status_callback=status_callback
            )
        except Unsubscribed:
            self._refuse(sender, recipient, content, status_callback, document.url)

    def _refuse(
        self, sender: str, recipient: str, body: str, status_callback: str | None, url: str
    ) -> None:
        """Fail a <Message> to an opted-out number with 21610, as the debugger shows it."""
        refused = Text(new_sid("SM"), sender, recipient, body, self._carrier.now(), "failed")
        self[refused.sid] = refused
        self._carrier.webhooks.errors.append((refused.sid, UNSUBSCRIBED, url))
        if status_callback:
            params = {**self._status_params(refused), "ErrorCode": str(UNSUBSCRIBED)}
            self._carrier.scheduler.soon(
                lambda: self._carrier.webhooks.send(status_callback, params, "POST")
            )

    def send(self, *, sender: str, recipient: str, body: str, status_callback: str | None) -> Text:
        """Send a text from the account to a simulated phone, reporting delivery as asked.

        Raises Unsubscribed when the recipient opted out of texts from `sender`.
        """
        if self.is_unsubscribed(sender, recipient):
            raise Unsubscribed
        text_out = Text(new_sid("SM"), sender, recipient, body, self._carrier.now())
        self[text_out.sid] = text_out
        self._deliver(text_out, status_callback)
        return text_out

    def _deliver(self, text_out: Text, status_callback: str | None) -> None:
        def deliver() -> None:
            for status in ("sent", "delivered"):
                text_out.status = status
                if status == "delivered":
                    self._carrier.directory.phone(text_out.recipient).add_text(text_out)
                if status_callback:
                    self._carrier.webhooks.send(
                        status_callback, self._status_params(text_out), "POST"
                    )

        self._carrier.scheduler.soon(deliver)

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
