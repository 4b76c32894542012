"""Pure TwiML builders: plain values in, an XML string out."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

# Spelled with spaces so text-to-speech reads digits, not "nine hundred eighty-eight".
CRISIS_EN = (
    "If you are in crisis or thinking about suicide, you can call or text 9 8 8, "
    "the Suicide and Crisis Lifeline, any time, day or night. "
    "If you are in immediate danger, call 9 1 1."
)
CRISIS_ES = (
    "Si está en crisis, puede llamar o enviar un mensaje de texto al 9 8 8 a cualquier hora. "
    "Si está en peligro inmediato, llame al 9 1 1."
)
AFTER_DIAL_EN = (
    "If you could not get through, please call or text 9 8 8 yourself. "
    "You matter, and people are there to help."
)
SORRY_EN = "We're sorry, our phone system is having trouble right now."
CONNECTING_EN = "Please stay on the line while we connect you to someone who can help."
ONWARD_DIAL_TIMEOUT_SECONDS = 30
CRISIS_SMS = (
    "If you are in crisis, call or text 988 any time. "
    "In immediate danger, call 911. Help is there, and things can get better."
)
SMS_WELCOME = (
    "Thank you for texting {name}. No peer specialist can answer texts here yet. "
    "We keep no copy of your number or messages. " + CRISIS_SMS
)


def _crisis_and_dial(response: VoiceResponse, dial_number: str) -> None:
    response.say(CRISIS_EN, language="en-US")
    response.say(CRISIS_ES, language="es-US")
    response.say(CONNECTING_EN, language="en-US")
    response.dial(dial_number, timeout=ONWARD_DIAL_TIMEOUT_SECONDS)
    response.say(AFTER_DIAL_EN, language="en-US")
    response.hangup()


def connect_onward(line_name: str, dial_number: str) -> str:
    """Greet the caller, name the crisis numbers, and dial the overflow or crisis line."""
    response = VoiceResponse()
    response.say(
        f"Thank you for calling {line_name}. No peer specialist is free to answer right now.",
        language="en-US",
    )
    _crisis_and_dial(response, dial_number)
    return str(response)


def emergency(dial_number: str) -> str:
    """Answer a caller when something behind the webhook broke: still help, never silence."""
    response = VoiceResponse()
    response.say(SORRY_EN, language="en-US")
    _crisis_and_dial(response, dial_number)
    return str(response)


def message(text: str) -> str:
    """Reply to a text with one message."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


def empty() -> str:
    """Answer without saying or sending anything."""
    return str(MessagingResponse())
