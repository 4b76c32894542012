"""Pure TwiML builders: plain values in, an XML string out.

Numbers are spelled with spaces ("9 8 8") so text-to-speech reads digits, not
"nine hundred eighty-eight".
"""

from __future__ import annotations

from datetime import datetime

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

VOICES = {"en": "en-US", "es": "es-US"}
LANGUAGE_NAMES = {"en": ("English", "inglés"), "es": ("Spanish", "español")}
ONWARD_DIAL_TIMEOUT_SECONDS = 30
CRISIS_DIAL_TIMEOUT_SECONDS = 60
WAIT_PAUSE_SECONDS = 20

CRISIS_EN = (
    "If you are in crisis or thinking about suicide, you can call or text 9 8 8, "
    "the Suicide and Crisis Lifeline, any time, day or night. "
    "If you are in immediate danger, call 9 1 1."
)
CRISIS_ES = (
    "Si está en crisis, puede llamar o enviar un mensaje de texto al 9 8 8 a cualquier hora. "
    "Si está en peligro inmediato, llame al 9 1 1."
)
SORRY_EN = "We're sorry, our phone system is having trouble right now."
CRISIS_SMS = (
    "If you are in crisis, call or text 988 any time. "
    "In immediate danger, call 911. Help is there, and things can get better."
)
SMS_TROUBLE = (
    "Sorry, we could not take your message just now. Please text again in a few minutes. "
    "If you are in crisis, call or text 988 any time. In immediate danger, call 911."
)

PHRASES = {
    "en": {
        "welcome": "Thank you for calling {name}, a peer-run warm line. "
        "If you are in crisis, you can call or text 9 8 8 any time, day or night. "
        "Press 9 at any time to be connected to the crisis line.",
        "hold": "Please stay on the line. A peer specialist will be with you soon.",
        "next": "You are next in line.",
        "ahead_one": "There is 1 person ahead of you.",
        "ahead_many": "There are {count} people ahead of you.",
        "average": "The wait right now is about {minutes} minutes.",
        "average_one": "The wait right now is about a minute.",
        "press_9": "Press 9 at any time to reach the crisis line.",
        "crisis": "Connecting you to the 9 8 8 Suicide and Crisis Lifeline now. "
        "Please stay on the line. You matter, and help is real.",
        "after_crisis": "If you could not get through, please call or text 9 8 8 yourself, "
        "any time. If you are in immediate danger, call 9 1 1.",
        "overflow": "Thank you for waiting so long. Everyone is still talking with other "
        "callers. To keep holding, press 1, or just stay on the line. "
        "To be connected to the crisis line now, press 9.",
        "connected": "Thank you for waiting. You are now connected with a peer specialist.",
        "goodbye": "Thank you for calling. If you need help later, you can call or text "
        "9 8 8 any time. Take care of yourself.",
        "limited": "Thank you for calling {name}. You have reached today's number of calls "
        "to this line, and we would be glad to talk with you again tomorrow.",
        "blocked": "Thank you for calling. This line is not able to take your call.",
        "closed": "Thank you for calling {name}. No peer specialist is on the line right now.",
        "reopens": "We are open again {when}.",
        "onward": "Please stay on the line while we connect you to someone who can help.",
        "unavailable": "Thank you for calling {name}. No peer specialist is free to answer "
        "right now.",
    },
    "es": {
        "welcome": "Gracias por llamar a {name}, una línea de apoyo entre pares. "
        "Si está en crisis, puede llamar o enviar un mensaje de texto al 9 8 8 a cualquier "
        "hora. Marque 9 en cualquier momento para comunicarse con la línea de crisis.",
        "hold": "Por favor, permanezca en la línea. Pronto le atenderá una persona de "
        "nuestro equipo.",
        "next": "Usted es la próxima persona en la fila.",
        "ahead_one": "Hay 1 persona antes que usted.",
        "ahead_many": "Hay {count} personas antes que usted.",
        "average": "La espera ahora es de unos {minutes} minutos.",
        "average_one": "La espera ahora es de un minuto, más o menos.",
        "press_9": "Marque 9 en cualquier momento para comunicarse con la línea de crisis.",
        "crisis": "Le estamos comunicando ahora con la línea 9 8 8 de prevención del "
        "suicidio y crisis. Por favor, permanezca en la línea. Su vida importa y la ayuda "
        "es real.",
        "after_crisis": "Si no pudo comunicarse, llame al 9 8 8 y marque 2 para español, o "
        "envíe la palabra AYUDA al 9 8 8. Si está en peligro inmediato, llame al 9 1 1.",
        "overflow": "Gracias por esperar tanto. Todo el equipo sigue hablando con otras "
        "personas. Para seguir esperando, marque 1 o permanezca en la línea. Para "
        "comunicarse ahora con la línea de crisis, marque 9.",
        "connected": "Gracias por esperar. Ya está hablando con una persona de nuestro equipo.",
        "goodbye": "Gracias por llamar. Si necesita ayuda más tarde, puede llamar al 9 8 8 "
        "a cualquier hora. Cuídese mucho.",
        "limited": "Gracias por llamar a {name}. Ya alcanzó el número de llamadas de hoy, y "
        "con gusto hablaremos de nuevo mañana.",
        "blocked": "Gracias por llamar. Esta línea no puede atender su llamada.",
        "closed": "Gracias por llamar a {name}. En este momento no hay nadie de nuestro "
        "equipo en la línea.",
        "reopens": "Volvemos a abrir {when}.",
        "onward": "Por favor, permanezca en la línea mientras le comunicamos con alguien "
        "que puede ayudarle.",
        "unavailable": "Gracias por llamar a {name}. En este momento nadie de nuestro equipo "
        "puede atenderle.",
    },
}


def _phrase(language: str, key: str, **values: object) -> str:
    return PHRASES.get(language, PHRASES["en"])[key].format(**values)


def _say(target: VoiceResponse | Gather, text: str, language: str) -> None:
    target.say(text, language=VOICES.get(language, "en-US"))


def _crisis_numbers(target: VoiceResponse | Gather, language: str) -> None:
    if language == "es":
        _say(target, CRISIS_ES, "es")
    else:
        _say(target, CRISIS_EN, "en")
        _say(target, CRISIS_ES, "es")


def _gather(action: str, *, speech: bool, timeout: int, on_silence: bool = True) -> Gather:
    """Gather one key (or speech); `on_silence` posts to the action even when nothing came."""
    return Gather(
        action=action,
        method="POST",
        input="dtmf speech" if speech else "dtmf",
        num_digits=1,
        timeout=timeout,
        action_on_empty_result=on_silence,
    )


def _dial_onward(response: VoiceResponse, dial_number: str, language: str) -> None:
    _say(response, _phrase(language, "onward"), language)
    response.dial(dial_number, timeout=ONWARD_DIAL_TIMEOUT_SECONDS, answer_on_bridge=True)
    _say(response, _phrase(language, "after_crisis"), language)
    response.hangup()


# When something is broken behind the webhook.


def connect_onward(line_name: str, dial_number: str, language: str = "en") -> str:
    """Tell the caller nobody can answer, name the crisis numbers, dial the overflow line."""
    response = VoiceResponse()
    _say(response, _phrase(language, "unavailable", name=line_name), language)
    _crisis_numbers(response, language)
    _dial_onward(response, dial_number, language)
    return str(response)


def emergency(dial_number: str) -> str:
    """Answer a caller when something behind the webhook broke: still help, never silence."""
    response = VoiceResponse()
    _say(response, SORRY_EN, "en")
    _crisis_numbers(response, "en")
    _dial_onward(response, dial_number, "en")
    return str(response)


# Arrival.


def blocked() -> str:
    response = VoiceResponse()
    _say(response, _phrase("en", "blocked"), "en")
    _crisis_numbers(response, "en")
    response.hangup()
    return str(response)


def limited(line_name: str, crisis_url: str) -> str:
    """Say the daily limit is reached, kindly, and keep 9 for the crisis line."""
    response = VoiceResponse()
    gather = _gather(crisis_url, speech=False, timeout=3)
    _say(gather, _phrase("en", "limited", name=line_name), "en")
    _crisis_numbers(gather, "en")
    _say(gather, _phrase("en", "press_9"), "en")
    response.append(gather)
    return str(response)


def after_hours(
    line_name: str,
    script: str,
    reopens: str | None,
    crisis_url: str,
    overflow_number: str | None,
) -> str:
    """Give the hours and the crisis numbers; 9 reaches the crisis line; then overflow."""
    response = VoiceResponse()
    gather = _gather(crisis_url, speech=False, timeout=3, on_silence=False)
    _say(gather, _phrase("en", "closed", name=line_name), "en")
    if reopens:
        _say(gather, _phrase("en", "reopens", when=reopens), "en")
    _say(gather, script, "en")
    _say(gather, CRISIS_ES, "es")
    response.append(gather)
    if overflow_number:
        _dial_onward(response, overflow_number, "en")
    else:
        _say(response, _phrase("en", "goodbye"), "en")
        response.hangup()
    return str(response)


def spoken_time(moment: datetime, today: datetime) -> str:
    """Say when the line reopens the way a person would: 'today at 5 PM', 'on Monday at 9 AM'."""
    clock = moment.strftime("%I:%M %p").lstrip("0").replace(":00", "")
    days = (moment.date() - today.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {moment.strftime('%A')} at {clock}"


def welcome(
    line_name: str, languages: tuple[str, ...], language: str, next_url: str, speech: bool
) -> str:
    """Greet, name the crisis line and 9, and offer the line's languages when it has several."""
    response = VoiceResponse()
    gather = _gather(next_url, speech=speech, timeout=4)
    _say(gather, _phrase(language, "welcome", name=line_name), language)
    if len(languages) > 1:
        for number, code in enumerate(languages, start=1):
            english, spanish = LANGUAGE_NAMES.get(code, (code, code))
            _say(gather, f"For {english}, press {number}.", "en")
            _say(gather, f"Para {spanish}, marque {number}.", "es")
    response.append(gather)
    return str(response)


def enqueue(queue_name: str, language: str, wait_url: str, action_url: str) -> str:
    """Hold the caller in Twilio's queue with our own wait loop and exit handler."""
    response = VoiceResponse()
    _say(response, _phrase(language, "hold"), language)
    response.enqueue(queue_name, wait_url=wait_url, wait_url_method="POST", action=action_url)
    return str(response)


# Waiting.


def wait_cycle(
    *,
    language: str,
    key_url: str,
    speech: bool,
    position: int | None,
    average_wait_seconds: int | None,
    announce: bool,
    hold_music_url: str | None,
) -> str:
    """One turn of the hold loop: sometimes the caller's place, always a way to press 9."""
    response = VoiceResponse()
    gather = _gather(key_url, speech=speech, timeout=1, on_silence=False)
    if announce:
        if position == 1:
            _say(gather, _phrase(language, "next"), language)
        elif position == 2:
            _say(gather, _phrase(language, "ahead_one"), language)
        elif position:
            _say(gather, _phrase(language, "ahead_many", count=position - 1), language)
        if average_wait_seconds:
            minutes = round(average_wait_seconds / 60)
            key = "average_one" if minutes <= 1 else "average"
            _say(gather, _phrase(language, key, minutes=minutes), language)
        _say(gather, _phrase(language, "press_9"), language)
    if hold_music_url:
        gather.play(hold_music_url)
    else:
        gather.pause(length=WAIT_PAUSE_SECONDS)
    response.append(gather)
    return str(response)


def hold_on() -> str:
    """Keep a holding caller in place while something behind the wait loop recovers."""
    response = VoiceResponse()
    _say(response, _phrase("en", "hold"), "en")
    response.pause(length=WAIT_PAUSE_SECONDS)
    return str(response)


def leave_queue() -> str:
    response = VoiceResponse()
    response.leave()
    return str(response)


def back_to_waiting(wait_url: str) -> str:
    response = VoiceResponse()
    response.redirect(wait_url, method="POST")
    return str(response)


def overflow_menu(language: str, choice_url: str, speech: bool) -> str:
    response = VoiceResponse()
    gather = _gather(choice_url, speech=speech, timeout=6)
    _say(gather, _phrase(language, "overflow"), language)
    response.append(gather)
    return str(response)


def crisis_line(crisis_number: str, language: str) -> str:
    """Connect the caller to the crisis line, and say how to reach it if that fails."""
    response = VoiceResponse()
    _say(response, _phrase(language, "crisis"), language)
    response.dial(crisis_number, timeout=CRISIS_DIAL_TIMEOUT_SECONDS, answer_on_bridge=True)
    _say(response, _phrase(language, "after_crisis"), language)
    response.hangup()
    return str(response)


def onward(line_name: str, dial_number: str, language: str) -> str:
    return connect_onward(line_name, dial_number, language)


# Connecting.


def _conference(name: str, *, ends_with_me: bool, **dial_attributes: str) -> Dial:
    dial = Dial(**dial_attributes)
    dial.conference(
        name,
        start_conference_on_enter=True,
        end_conference_on_exit=ends_with_me,
        beep=False,
        wait_url="",
    )
    return dial


def join_as_caller(conference: str, language: str, after_url: str) -> str:
    """Bring the caller into their conference; when it ends, the after URL says goodbye."""
    response = VoiceResponse()
    _say(response, _phrase(language, "connected"), language)
    response.append(_conference(conference, ends_with_me=True, action=after_url))
    return str(response)


def goodbye(language: str) -> str:
    response = VoiceResponse()
    _say(response, _phrase(language, "goodbye"), language)
    response.hangup()
    return str(response)


def whisper(*, minutes: int, language: str, answer_url: str, ring_timeout: int) -> str:
    """Tell the specialist what is waiting, before they take it: press 1 to accept."""
    spoken_language = LANGUAGE_NAMES.get(language, (language, language))[0]
    if minutes < 1:
        waited = "less than a minute"
    else:
        waited = "1 minute" if minutes == 1 else f"{minutes} minutes"
    text = f"Warm line call, waiting {waited}, in {spoken_language}. Press 1 to accept."
    response = VoiceResponse()
    gather = _gather(answer_url, speech=False, timeout=ring_timeout)
    _say(gather, text, "en")
    _say(gather, text, "en")
    response.append(gather)
    return str(response)


def join_as_specialist(conference: str) -> str:
    response = VoiceResponse()
    _say(response, "Connecting you now.", "en")
    response.append(_conference(conference, ends_with_me=False))
    return str(response)


def offer_missed(*, taken: bool) -> str:
    """Tell a specialist the offer is gone, and why."""
    response = VoiceResponse()
    if taken:
        _say(response, "Thank you. A colleague has taken this call.", "en")
    else:
        _say(
            response,
            "No problem. You are now on a break. Set yourself available in the dashboard "
            "when you are ready.",
            "en",
        )
    response.hangup()
    return str(response)


def offer_failed() -> str:
    response = VoiceResponse()
    _say(response, "Sorry, this call could not be connected. Please check your dashboard.", "en")
    response.hangup()
    return str(response)


# Text messages.


def message(text: str) -> str:
    """Reply to a text with one message."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


def empty() -> str:
    """Answer without saying or sending anything."""
    return str(MessagingResponse())


# The text line. Texts keep to the GSM-7 alphabet (Spanish without á, í, ó, ú) so that two
# SMS segments hold 306 characters; every first reply fits two segments.

SMS_TEXTS = {
    "en": {
        "welcome": "Thank you for texting {name}. A peer specialist will text you back soon. "
        "We keep your number and messages only until this conversation ends. In crisis, call "
        "or text 988. In immediate danger, call 911. Text STOP to stop.",
        "position": "Thank you for waiting. You are number {position} in line for a peer "
        "specialist. In crisis, call or text 988.",
        "reopens": " We open again {when}.",
        "thanks": "Thank you for texting {name}. ",
        "blocked": "This line is not able to take your texts. In crisis, call or text 988. "
        "In immediate danger, call 911.",
        "limited": "Thank you for texting {name}. You have reached today's number of "
        "conversations, and we would be glad to hear from you tomorrow. In crisis, call or "
        "text 988. In immediate danger, call 911.",
        "help": "{name} is a free, peer-run warm line. Text us to talk with a peer "
        "specialist; text STOP to stop. In crisis, call or text 988, or text HOME to 741741. "
        "In immediate danger, call 911.",
        "stopped": "You will not get more texts from us. Text START to reach us again. In "
        "crisis, call or text 988.",
        "started": "Welcome back to {name}. Text us any time to talk with a peer specialist. "
        "In crisis, call or text 988. In immediate danger, call 911.",
        "no_pictures": "We can't see pictures or files here, and we don't keep them. Please "
        "tell us in words.",
        "still_waiting": "Thank you for waiting. You are number {position} in line. A peer "
        "specialist will text you as soon as they can. In crisis, call or text 988.",
    },
    "es": {
        "welcome": "Gracias por escribir a {name}. Pronto te escribe una persona de nuestro "
        "equipo. Guardamos tu numero y tus mensajes solo hasta que termine esta conversacion. "
        "En crisis, llama o escribe al 988. En peligro inmediato, llama al 911.",
        "position": "Gracias por esperar. Tienes el lugar {position} en la fila. En crisis, "
        "llama o escribe al 988.",
        "reopens": " Abrimos de nuevo {when}.",
        "thanks": "Gracias por escribir a {name}. ",
        "blocked": "Esta linea no puede recibir tus mensajes. En crisis, llama o escribe al "
        "988. En peligro inmediato, llama al 911.",
        "limited": "Gracias por escribir a {name}. Ya alcanzaste el numero de conversaciones "
        "de hoy, y con gusto te leemos manana. En crisis, llama o escribe al 988. En peligro "
        "inmediato, llama al 911.",
        "help": "{name} es una linea de apoyo gratuita entre pares. Escribenos para hablar "
        "con alguien del equipo; escribe STOP para no recibir mensajes. En crisis, llama o "
        "escribe al 988. En peligro inmediato, llama al 911.",
        "stopped": "Ya no te enviaremos mensajes. Escribe START para volver a escribirnos. En "
        "crisis, llama o escribe al 988.",
        "started": "Bienvenida o bienvenido de nuevo a {name}. Escribenos cuando quieras. En "
        "crisis, llama o escribe al 988. En peligro inmediato, llama al 911.",
        "no_pictures": "Aqui no podemos ver fotos ni archivos, y no los guardamos. Por favor, "
        "cuentanos con palabras.",
        "still_waiting": "Gracias por esperar. Tienes el lugar {position} en la fila. Pronto "
        "te escribe una persona de nuestro equipo. En crisis, llama o escribe al 988.",
    },
}
WRITTEN_DAYS = {
    "en": ("today at {clock}", "tomorrow at {clock}", "on {day} at {clock}"),
    "es": ("hoy a las {clock}", "manana a las {clock}", "el {day} a las {clock}"),
}
SPANISH_DAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")


def sms_text(kind: str, language: str, **values: object) -> str:
    """Return one of the text line's own texts; a language without its own texts gets English."""
    return SMS_TEXTS.get(language, SMS_TEXTS["en"])[kind].format(**values)


def written_time(moment: datetime, today: datetime, language: str) -> str:
    """Write when the line reopens for a text: 'tomorrow at 5 PM', 'el lunes a las 17:00'."""
    forms = WRITTEN_DAYS.get(language, WRITTEN_DAYS["en"])
    if language == "es":
        clock, day = moment.strftime("%H:%M"), SPANISH_DAYS[moment.weekday()]
    else:
        clock = moment.strftime("%I:%M %p").lstrip("0").replace(":00", "")
        day = moment.strftime("%A")
    days = (moment.date() - today.date()).days
    form = forms[min(days, 2)] if days >= 0 else forms[2]
    return form.format(clock=clock, day=day)


def messages(texts: list[str]) -> str:
    """Reply to a text with several messages, in order; none answers silently."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)
